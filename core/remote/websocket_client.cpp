#include "remote/websocket_client.h"

#include "common/error.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <chrono>

namespace grids::remote {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

struct ParsedUrl
{
    std::string host, port, target;
};

ParsedUrl parseUrl(const std::string &url)
{
    const std::string scheme = "ws://";
    if (url.rfind(scheme, 0) != 0)
        throw usageError(url + ": a policy server is addressed as ws://HOST:PORT (wss:// is not supported)");
    const std::string rest = url.substr(scheme.size());
    const std::size_t slash = rest.find('/');
    const std::string authority = rest.substr(0, slash);
    ParsedUrl parsed;
    parsed.target = slash == std::string::npos ? "/" : rest.substr(slash);
    const std::size_t colon = authority.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == authority.size())
        throw usageError(url + ": needs a host and a port (ws://HOST:PORT)");
    parsed.host = authority.substr(0, colon);
    parsed.port = authority.substr(colon + 1);
    if (parsed.port.find_first_not_of("0123456789") != std::string::npos)
        throw usageError(url + ": the port is not a number");
    return parsed;
}

} // namespace

struct WebSocketClient::State
{
    asio::io_context io;
    websocket::stream<beast::tcp_stream> ws{io};
    std::chrono::steady_clock::duration timeout;
    bool open = false;

    // Runs the asynchronous operation started by `start` to its end. The operations time out by
    // themselves (the stream's expiry while connecting, the websocket's idle timeout after).
    template <typename Start>
    beast::error_code run(Start start)
    {
        beast::error_code result;
        bool done = false;
        start([&](beast::error_code ec, auto &&...) {
            result = ec;
            done = true;
        });
        // Run handlers until this operation's own has run: the websocket keeps timers pending
        // between operations, so running the context dry would wait for them.
        io.restart();
        while (!done)
            if (io.run_one() == 0)
                break;
        if (!done)
            return asio::error::operation_aborted;
        return result;
    }
};

WebSocketClient::WebSocketClient(const std::string &url, double timeoutSeconds, std::size_t maxMessageBytes)
    : m_url(url)
    , m_state(std::make_unique<State>())
{
    const ParsedUrl parsed = parseUrl(url);
    State &s = *m_state;
    s.timeout = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(timeoutSeconds));
    auto fail = [&](const char *what, const beast::error_code &ec) {
        return badInput(url + ": " + what + " (" + ec.message() + ")");
    };
    tcp::resolver resolver(s.io);
    beast::error_code ec;
    const auto endpoints = resolver.resolve(parsed.host, parsed.port, ec);
    if (ec)
        throw fail("cannot resolve the host", ec);
    beast::get_lowest_layer(s.ws).expires_after(s.timeout);
    ec = s.run([&](auto handler) { beast::get_lowest_layer(s.ws).async_connect(endpoints, handler); });
    if (ec)
        throw fail("cannot connect to the policy server", ec);
    // Requests are single small messages: without this, Nagle's algorithm and delayed
    // acknowledgements hold some of them back for ~40 ms.
    beast::get_lowest_layer(s.ws).socket().set_option(tcp::no_delay(true), ec);
    beast::get_lowest_layer(s.ws).expires_after(s.timeout);
    ec = s.run([&](auto handler) { s.ws.async_handshake(parsed.host + ":" + parsed.port, parsed.target, handler); });
    if (ec)
        throw fail("the websocket handshake failed", ec);
    // From here the websocket stream keeps time itself: a reply that takes longer than the
    // timeout is an error, and the stream is closed.
    beast::get_lowest_layer(s.ws).expires_never();
    websocket::stream_base::timeout option{};
    option.handshake_timeout = s.timeout;
    option.idle_timeout = s.timeout;
    option.keep_alive_pings = false;
    s.ws.set_option(option);
    s.ws.read_message_max(maxMessageBytes);
    s.ws.binary(true);
    s.open = true;
}

WebSocketClient::~WebSocketClient()
{
    close();
}

void WebSocketClient::send(const std::string &bytes)
{
    State &s = *m_state;
    if (!s.open)
        throw badInput(m_url + ": the connection to the policy server is closed");
    const beast::error_code ec = s.run([&](auto handler) { s.ws.async_write(asio::buffer(bytes), handler); });
    if (ec) {
        s.open = false;
        throw badInput(m_url + ": sending to the policy server failed (" + ec.message() + ")");
    }
}

WebSocketClient::Message WebSocketClient::receive()
{
    State &s = *m_state;
    if (!s.open)
        throw badInput(m_url + ": the connection to the policy server is closed");
    beast::flat_buffer buffer;
    const beast::error_code ec = s.run([&](auto handler) { s.ws.async_read(buffer, handler); });
    if (ec) {
        s.open = false;
        if (ec == beast::error::timeout)
            throw badInput(m_url + ": the policy server did not answer within the timeout");
        if (ec == websocket::error::message_too_big)
            throw badInput(m_url + ": the policy server's reply is larger than the limit");
        if (ec == websocket::error::closed || ec == asio::error::eof || ec == asio::error::connection_reset)
            throw badInput(m_url + ": the policy server closed the connection" +
                           (s.ws.reason().reason.empty() ? std::string()
                                                         : " (" + std::string(s.ws.reason().reason.c_str()) + ")"));
        throw badInput(m_url + ": receiving from the policy server failed (" + ec.message() + ")");
    }
    Message message;
    message.text = s.ws.got_text();
    message.data = beast::buffers_to_string(buffer.data());
    return message;
}

void WebSocketClient::close()
{
    State &s = *m_state;
    if (!s.open)
        return;
    s.open = false;
    beast::error_code ignored;
    s.run([&](auto handler) { s.ws.async_close(websocket::close_code::normal, handler); });
    beast::get_lowest_layer(s.ws).socket().close(ignored);
}

} // namespace grids::remote
