#pragma once

// The message encoding of openpi's policy server protocol: msgpack, with numpy arrays as maps
// {"__ndarray__": true, "data": bytes, "dtype": "<f4", "shape": [..]} (openpi's msgpack_numpy).
// Plain types; msgpack-cxx stays inside the .cpp.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace grids::remote {

struct NdArray
{
    std::string dtype; // numpy's dtype.str: "|u1", "<f4", "<f8", "<i8", …
    std::vector<std::int64_t> shape;
    std::string data; // C order, the dtype's byte order

    // The number of elements; -1 when the shape has a negative side or overflows an int64.
    std::int64_t size() const;
    // The elements as floats (any integer or float dtype of 1..8 bytes, either byte order).
    // Throws std::runtime_error for other dtypes or data of the wrong length.
    std::vector<float> toFloats() const;
};

// A decoded message: a tree of msgpack values, with numpy arrays recognised.
struct Value
{
    enum class Kind { Nil, Bool, Int, Float, String, Bytes, Array, Map, Numpy };
    Kind kind = Kind::Nil;
    bool boolean = false;
    std::int64_t integer = 0;
    double number = 0;
    std::string text; // String and Bytes
    std::vector<Value> items;                 // Array
    std::map<std::string, Value> fields;      // Map (keys of str or bin type)
    std::shared_ptr<NdArray> array;           // Numpy: a numpy array

    const Value *field(const std::string &key) const;
    bool isNumber() const { return kind == Kind::Int || kind == Kind::Float; }
};

// One entry of an outgoing dict.
struct OutValue
{
    enum class Kind { String, Int, Array } kind = Kind::String;
    std::string text;
    std::int64_t integer = 0;
    NdArray array;
};
using OutMap = std::vector<std::pair<std::string, OutValue>>;

std::string pack(const OutMap &map);
// Throws std::runtime_error with a short reason for bytes that are not one msgpack value, or
// nest deeper than 32 levels.
Value unpack(const std::string &bytes);

NdArray makeArray(const std::string &dtype, std::vector<std::int64_t> shape, const void *data, std::size_t bytes);

} // namespace grids::remote
