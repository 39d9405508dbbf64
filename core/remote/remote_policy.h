#pragma once

#include "model/policy.h"

#include <memory>
#include <string>

namespace grids {

// How the application talks to a policy server (openpi's websocket protocol).
struct RemotePolicyOptions
{
    double timeoutSeconds = 30;             // per connect, request and reply
    std::size_t maxMessageBytes = 64u << 20; // a larger reply is refused
    // Which observation key carries what: "VIEW=KEY,…,state=KEY,prompt=KEY", VIEW a checkpoint
    // view name or view0, view1, … by position. Unnamed parts keep openpi's LIBERO defaults:
    // view0=observation/image, view1=observation/wrist_image, state=observation/state,
    // prompt=prompt.
    std::string keys;
};

bool isPolicyServerUrl(const std::string &source);

// Connects to a policy server at ws://HOST:PORT and reads its metadata. A server that sends the
// GridS extensions' metadata (grids/checkpoint: its grids.json) is described by it; any other is a
// policy of its own selection whose actions are all there is. Throws Error{BadInput} naming the URL.
std::unique_ptr<Policy> connectPolicyServer(const std::string &url, const RemotePolicyOptions &options = {});

// A checkpoint file, or a policy server when `source` is a ws:// URL.
std::unique_ptr<Policy> openPolicy(const std::string &source,
                                   const std::string &device = "cpu",
                                   const RemotePolicyOptions &options = {});

} // namespace grids
