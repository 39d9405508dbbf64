#include "remote/remote_policy.h"

#include "common/error.h"
#include "common/hash.h"
#include "common/pair_list.h"
#include "model/view_matching.h"
#include "remote/msgpack_numpy.h"
#include "remote/websocket_client.h"

#include <chrono>
#include <numeric>

namespace grids {
namespace {

using remote::OutValue;
using remote::Value;

struct KeyMap
{
    std::vector<std::pair<std::string, std::string>> views; // view name or "viewN" → key
    std::string state = "observation/state";
    std::string prompt = "prompt";

    std::string viewKey(int index, const std::string &name) const
    {
        for (const auto &[view, key] : views)
            if (view == name || view == "view" + std::to_string(index))
                return key;
        if (index == 0)
            return "observation/image";
        if (index == 1)
            return "observation/wrist_image";
        return "observation/image_" + std::to_string(index);
    }
};

KeyMap parseKeys(const std::string &text)
{
    KeyMap map;
    for (const auto &[what, key] :
         parsePairList(text, "policy_keys", "WHAT=KEY (a view, state or prompt = a key)")) {
        if (what == "state")
            map.state = key;
        else if (what == "prompt")
            map.prompt = key;
        else
            map.views.push_back({what, key});
    }
    return map;
}

double msSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

class RemotePolicy final : public Policy
{
public:
    RemotePolicy(const std::string &url, const RemotePolicyOptions &options)
        : m_options(options)
        , m_keys(parseKeys(options.keys))
    {
        m_info.path = url;
        m_info.remote = true;
        connect();
    }

    const CheckpointInfo &info() const override { return m_info; }
    std::size_t cachedFrames() const override { return 0; }
    std::size_t encoderCalls() const override { return m_requests; }
    std::size_t headCalls() const override { return m_requests; }

    FrameResult run(const Frame &frame,
                    const std::vector<ViewInfo> &frameViews,
                    const std::string &method,
                    int budget,
                    const std::string & /*cacheKey*/) override
    {
        FrameResult result;
        result.method = m_described ? method : "server";
        bool missing = false;
        std::vector<std::pair<int, int>> pairs;
        if (m_described) {
            if (const std::string why = notApplicable(m_info, method); !why.empty())
                throw usageError(m_info.path + ": " + why);
            if (method == "grids" && (budget < 1 || budget > m_info.budgetMax))
                throw usageError("budget " + std::to_string(budget) + " outside 1.." +
                                 std::to_string(m_info.budgetMax) + " for " + m_info.path);
            pairs = matchViews(m_info.views, frameViews, m_info.path, missing);
        } else {
            for (int f = 0; f < int(frameViews.size()); ++f)
                pairs.push_back({f, f}); // an undescribed server takes the cameras in order
        }

        remote::OutMap request;
        for (const auto &[c, f] : pairs) {
            cv::Mat view = frame.views.at(std::size_t(f));
            if (m_described)
                view = resizeForModel(view, m_info.imageWidth, m_info.imageHeight);
            if (!view.isContinuous())
                view = view.clone();
            OutValue value;
            value.kind = OutValue::Kind::Array;
            value.array = remote::makeArray("|u1", {view.rows, view.cols, 3}, view.data, view.total() * 3);
            const std::string name = m_described ? m_info.views[std::size_t(c)] : frameViews[std::size_t(f)].name;
            request.push_back({m_keys.viewKey(c, name), value});
        }
        std::vector<float> state = frame.state;
        if (m_described && int(state.size()) != m_info.stateDim)
            state.assign(std::size_t(m_info.stateDim), 0.f); // as a local checkpoint runs it
        result.missingInputs = missing || (m_described && int(frame.state.size()) != m_info.stateDim);
        OutValue stateValue;
        stateValue.kind = OutValue::Kind::Array;
        stateValue.array = remote::makeArray("<f4", {std::int64_t(state.size())}, state.data(), state.size() * 4);
        request.push_back({m_keys.state, stateValue});
        request.push_back({m_keys.prompt, OutValue{OutValue::Kind::String, frame.instruction, 0, {}}});
        if (m_described) {
            request.push_back({"grids/method", OutValue{OutValue::Kind::String, method, 0, {}}});
            request.push_back({"grids/budget", OutValue{OutValue::Kind::Int, {}, budget, {}}});
        }

        const auto start = std::chrono::steady_clock::now();
        const Value reply = exchange(remote::pack(request));
        result.roundTripMs = msSince(start);
        ++m_requests;
        readReply(reply, pairs, method, budget, result);
        return result;
    }

private:
    void connect()
    {
        m_client = std::make_unique<remote::WebSocketClient>(m_info.path, m_options.timeoutSeconds,
                                                             m_options.maxMessageBytes);
        const auto hello = m_client->receive();
        if (hello.text)
            throw badInput(m_info.path + ": the server's first message is text, not openpi's metadata");
        Value metadata;
        try {
            metadata = remote::unpack(hello.data);
        } catch (const std::exception &e) {
            throw badInput(m_info.path + ": the server's metadata is " + e.what());
        }
        if (metadata.kind != Value::Kind::Map)
            throw badInput(m_info.path + ": the server's metadata is not a map");
        const std::string url = m_info.path;
        const Value *json = metadata.field("grids/checkpoint");
        if (json && (json->kind == Value::Kind::String || json->kind == Value::Kind::Bytes)) {
            m_info = parseCheckpointJson(url, json->text);
            m_described = true;
            const Value *sha = metadata.field("grids/checkpoint_sha256");
            m_info.sha256 = sha && sha->kind == Value::Kind::String ? sha->text : sha256OfBytes(json->text);
        } else {
            m_info = CheckpointInfo{};
            m_info.name = "policy server";
            m_info.kind = "dense";
            m_info.sha256 = sha256OfBytes(url + "\n" + hello.data);
        }
        m_info.path = url;
        m_info.remote = true;
    }

    // Sends a request and waits for its reply; a connection found closed is opened again once.
    Value exchange(const std::string &request)
    {
        remote::WebSocketClient::Message message;
        try {
            if (!m_client)
                connect();
            m_client->send(request);
            message = m_client->receive();
        } catch (const Error &) {
            m_client.reset(); // the next frame connects afresh
            throw;
        }
        if (message.text) {
            // openpi's servers send the traceback as text, then close: its last line says what.
            m_client.reset();
            std::string text = message.data;
            while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
                text.pop_back();
            const std::string last = text.substr(text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1);
            throw badInput(m_info.path + ": the policy server failed: " + last.substr(0, 300));
        }
        try {
            return remote::unpack(message.data);
        } catch (const std::exception &e) {
            throw badInput(m_info.path + ": the policy server's reply is " + e.what());
        }
    }

    void readReply(const Value &reply, const std::vector<std::pair<int, int>> &pairs, const std::string &method,
                   int budget, FrameResult &result)
    {
        auto bad = [&](const std::string &what) { return badInput(m_info.path + ": the policy server's reply " + what); };
        if (reply.kind != Value::Kind::Map)
            throw bad("is not a map");
        const Value *actions = reply.field("actions");
        if (!actions || actions->kind != Value::Kind::Numpy)
            throw bad("has no 'actions' array");
        // An array's numbers; a dtype or data length that does not fit is the server's error too.
        auto floats = [&](const Value &array, const char *name) {
            try {
                return array.array->toFloats();
            } catch (const std::exception &e) {
                throw bad(std::string("'") + name + "': " + e.what());
            }
        };
        const auto &shape = actions->array->shape;
        if (shape.empty() || shape.size() > 2 || actions->array->size() == 0)
            throw bad("'actions' must be [T, A] or [A]");
        result.actions.values = floats(*actions, "actions");
        result.actions.rows = shape.size() == 2 ? shape[0] : 1;
        result.actions.cols = int(shape.back());
        if (m_described && (result.actions.rows != m_info.actionHorizon || result.actions.cols != m_info.actionDim))
            throw bad("'actions' is " + std::to_string(result.actions.rows) + "x" + std::to_string(result.actions.cols) +
                      ", the server's grids.json says " + std::to_string(m_info.actionHorizon) + "x" +
                      std::to_string(m_info.actionDim));
        if (!m_described)
            return;
        result.budget = method == "dense" ? m_info.cellsPerView() : budget;
        if (const Value *coords = reply.field("grids/coords"); coords && coords->kind == Value::Kind::Numpy) {
            const auto &c = coords->array->shape;
            if (c.size() != 3 || c[0] != std::int64_t(pairs.size()) || c[2] != 2)
                throw bad("'grids/coords' must be [views, K, 2] for the " + std::to_string(pairs.size()) + " views sent");
            const std::vector<float> xy = floats(*coords, "grids/coords");
            for (std::size_t k = 0; k < pairs.size(); ++k) {
                ViewSelection selection;
                selection.view = m_info.views[std::size_t(pairs[k].first)];
                for (std::int64_t t = 0; t < c[1]; ++t) {
                    const float *p = xy.data() + 2 * (std::int64_t(k) * c[1] + t);
                    selection.coords.push_back({p[0], p[1]});
                }
                if (method == "dense" && c[1] == m_info.cellsPerView()) {
                    selection.cells.resize(std::size_t(c[1]));
                    std::iota(selection.cells.begin(), selection.cells.end(), 0);
                }
                result.views.push_back(std::move(selection));
            }
        }
        if (const Value *attention = reply.field("grids/attention"); attention && attention->kind == Value::Kind::Numpy) {
            result.attention = floats(*attention, "grids/attention");
            std::size_t tokens = 0;
            for (const ViewSelection &selection : result.views)
                tokens += selection.coords.size();
            if (!result.views.empty() && result.attention.size() != tokens)
                throw bad("'grids/attention' has " + std::to_string(result.attention.size()) + " weights for " +
                          std::to_string(tokens) + " tokens");
        }
        if (const Value *timing = reply.field("grids/timing"); timing && timing->kind == Value::Kind::Map) {
            auto ms = [&](const char *key) {
                const Value *v = timing->field(key);
                return v && v->isNumber() ? v->number : 0.0;
            };
            result.encodeMs = ms("encode_ms");
            result.selectMs = ms("select_ms");
            result.actMs = ms("act_ms");
        }
    }

    RemotePolicyOptions m_options;
    KeyMap m_keys;
    CheckpointInfo m_info;
    bool m_described = false; // the server sent its grids.json
    std::unique_ptr<remote::WebSocketClient> m_client;
    std::size_t m_requests = 0;
};

} // namespace

bool isPolicyServerUrl(const std::string &source)
{
    return source.rfind("ws://", 0) == 0 || source.rfind("wss://", 0) == 0;
}

std::unique_ptr<Policy> connectPolicyServer(const std::string &url, const RemotePolicyOptions &options)
{
    return std::make_unique<RemotePolicy>(url, options);
}

std::unique_ptr<Policy> openPolicy(const std::string &source, const std::string &device, const RemotePolicyOptions &options)
{
    if (isPolicyServerUrl(source))
        return connectPolicyServer(source, options);
    return Policy::load(source, device);
}

} // namespace grids
