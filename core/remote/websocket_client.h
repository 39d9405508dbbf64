#pragma once

#include <cstddef>
#include <memory>
#include <string>

namespace grids::remote {

// A websocket client (Boost.Beast) for one request/reply conversation at a time, with a timeout
// on every step: a server that is slow, gone or silent gives an error, never a hang.
// Errors are grids::Error{BadInput} naming the URL and what happened.
class WebSocketClient
{
public:
    struct Message
    {
        bool text = false; // a text frame (openpi's servers send a traceback as text on errors)
        std::string data;
    };

    // Connects to ws://HOST:PORT[/PATH] and completes the handshake within `timeoutSeconds`.
    WebSocketClient(const std::string &url, double timeoutSeconds, std::size_t maxMessageBytes);
    ~WebSocketClient();
    WebSocketClient(const WebSocketClient &) = delete;
    WebSocketClient &operator=(const WebSocketClient &) = delete;

    const std::string &url() const { return m_url; }
    void send(const std::string &bytes); // one binary message
    Message receive();                   // waits at most the timeout for one whole message
    void close();                        // best effort

private:
    struct State;
    std::string m_url;
    std::unique_ptr<State> m_state;
};

} // namespace grids::remote
