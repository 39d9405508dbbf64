// Fuzzes the policy-server message decoder (openpi's msgpack with numpy arrays): the input is one
// message. Every array in it is converted as a reply's would be, and a grids.json it carries is
// validated as the server's metadata is.

#include "fuzz_support.h"
#include "model/checkpoint_info.h"
#include "remote/msgpack_numpy.h"

#include <stdexcept>

namespace {

void visit(const grids::remote::Value &value, int depth)
{
    using Kind = grids::remote::Value::Kind;
    if (depth > 64)
        std::abort(); // unpack promises at most 32 levels
    if (value.kind == Kind::Numpy) {
        try {
            const std::vector<float> floats = value.array->toFloats();
            // Converted: the shape is a shape, and the values are exactly its elements.
            for (const std::int64_t side : value.array->shape)
                if (side < 0)
                    std::abort();
            if (std::int64_t(floats.size()) != value.array->size())
                std::abort();
        } catch (const std::runtime_error &) {
        }
    }
    for (const auto &item : value.items)
        visit(item, depth + 1);
    for (const auto &[key, field] : value.fields)
        visit(field, depth + 1);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    grids::remote::Value message;
    try {
        message = grids::remote::unpack(std::string(reinterpret_cast<const char *>(data), size));
    } catch (const std::runtime_error &) {
        return 0; // refused, with a reason (the client names the server around it)
    }
    visit(message, 0);
    if (const auto *json = message.field("grids/checkpoint"); json && json->kind == grids::remote::Value::Kind::String)
        grids::fuzz::expectReadOrRefusal("ws://server", [&] { grids::parseCheckpointJson("ws://server", json->text); });
    return 0;
}
