#include "remote/msgpack_numpy.h"

#include "common/shape_text.h"

#define MSGPACK_NO_BOOST
#include <msgpack.hpp>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace grids::remote {
namespace {

constexpr int kMaxDepth = 32;

// openpi packs the array's keys as bytes (msgpack bin); replies may use either str or bin.
void packBinKey(msgpack::packer<msgpack::sbuffer> &out, const char *key)
{
    const auto n = std::uint32_t(std::strlen(key));
    out.pack_bin(n);
    out.pack_bin_body(key, n);
}

std::string keyOf(const msgpack::object &key)
{
    if (key.type == msgpack::type::STR)
        return std::string(key.via.str.ptr, key.via.str.size);
    if (key.type == msgpack::type::BIN)
        return std::string(key.via.bin.ptr, key.via.bin.size);
    if (key.type == msgpack::type::POSITIVE_INTEGER)
        return std::to_string(key.via.u64);
    throw std::runtime_error("a map key is neither text nor a number");
}

Value convert(const msgpack::object &o, int depth)
{
    if (depth > kMaxDepth)
        throw std::runtime_error("the message nests deeper than 32 levels");
    Value v;
    switch (o.type) {
    case msgpack::type::NIL: v.kind = Value::Kind::Nil; break;
    case msgpack::type::BOOLEAN:
        v.kind = Value::Kind::Bool;
        v.boolean = o.via.boolean;
        break;
    case msgpack::type::POSITIVE_INTEGER:
        v.kind = Value::Kind::Int;
        v.integer = std::int64_t(o.via.u64);
        v.number = double(o.via.u64);
        break;
    case msgpack::type::NEGATIVE_INTEGER:
        v.kind = Value::Kind::Int;
        v.integer = o.via.i64;
        v.number = double(o.via.i64);
        break;
    case msgpack::type::FLOAT32:
    case msgpack::type::FLOAT64:
        v.kind = Value::Kind::Float;
        v.number = o.via.f64;
        break;
    case msgpack::type::STR:
        v.kind = Value::Kind::String;
        v.text.assign(o.via.str.ptr, o.via.str.size);
        break;
    case msgpack::type::BIN:
        v.kind = Value::Kind::Bytes;
        v.text.assign(o.via.bin.ptr, o.via.bin.size);
        break;
    case msgpack::type::ARRAY:
        v.kind = Value::Kind::Array;
        for (std::uint32_t i = 0; i < o.via.array.size; ++i)
            v.items.push_back(convert(o.via.array.ptr[i], depth + 1));
        break;
    case msgpack::type::MAP:
        v.kind = Value::Kind::Map;
        for (std::uint32_t i = 0; i < o.via.map.size; ++i)
            v.fields[keyOf(o.via.map.ptr[i].key)] = convert(o.via.map.ptr[i].val, depth + 1);
        break;
    default: throw std::runtime_error("the message holds a msgpack extension type");
    }
    if (v.kind != Value::Kind::Map)
        return v;
    if (v.fields.count("__ndarray__")) {
        const Value *data = v.field("data"), *dtype = v.field("dtype"), *shape = v.field("shape");
        if (!data || !dtype || !shape || (data->kind != Value::Kind::Bytes && data->kind != Value::Kind::String) ||
            (dtype->kind != Value::Kind::String && dtype->kind != Value::Kind::Bytes) || shape->kind != Value::Kind::Array)
            throw std::runtime_error("a numpy array lacks data, dtype or shape");
        auto array = std::make_shared<NdArray>();
        array->dtype = dtype->text;
        array->data = data->text;
        for (const Value &d : shape->items) {
            if (d.kind != Value::Kind::Int || d.integer < 0)
                throw std::runtime_error("a numpy array's shape is not a list of sizes");
            array->shape.push_back(d.integer);
        }
        Value out;
        out.kind = Value::Kind::Numpy;
        out.array = std::move(array);
        return out;
    }
    if (v.fields.count("__npgeneric__")) { // a numpy scalar: its item
        if (const Value *data = v.field("data"); data && data->isNumber())
            return *data;
        throw std::runtime_error("a numpy scalar is not a number");
    }
    return v;
}

} // namespace

const Value *Value::field(const std::string &key) const
{
    const auto it = fields.find(key);
    return it == fields.end() ? nullptr : &it->second;
}

std::int64_t NdArray::size() const
{
    std::int64_t n = 1;
    for (const std::int64_t d : shape)
        if (d < 0 || __builtin_mul_overflow(n, d, &n))
            return -1; // not a shape: a negative side, or more elements than an int64 counts
    return n;
}

std::vector<float> NdArray::toFloats() const
{
    if (dtype.size() < 3)
        throw std::runtime_error("unknown dtype '" + dtype + "'");
    const char order = dtype[0], kind = dtype[1];
    const int width = std::atoi(dtype.c_str() + 2);
    if ((order != '<' && order != '>' && order != '|' && order != '=') ||
        !(kind == 'f' || kind == 'i' || kind == 'u') || !(width == 1 || width == 2 || width == 4 || width == 8) ||
        (kind == 'f' && width < 4))
        throw std::runtime_error("dtype '" + dtype + "' is not a number type GridS Studio reads");
    const std::int64_t n = size();
    if (n < 0)
        throw std::runtime_error("array shape " + shapeText(shape) + " is not a shape");
    if (std::uint64_t(data.size()) / std::uint64_t(width) != std::uint64_t(n) || data.size() % std::size_t(width) != 0)
        throw std::runtime_error("array data holds " + std::to_string(data.size()) + " bytes, its shape " +
                                 shapeText(shape) + " and dtype '" + dtype + "' say otherwise");
    const bool swap = order == '>';
    std::vector<float> out(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) {
        unsigned char bytes[8];
        std::memcpy(bytes, data.data() + i * width, std::size_t(width));
        if (swap)
            std::reverse(bytes, bytes + width);
        double value = 0;
        if (kind == 'f') {
            if (width == 4) {
                float f;
                std::memcpy(&f, bytes, 4);
                value = f;
            } else {
                std::memcpy(&value, bytes, 8);
            }
        } else {
            std::uint64_t raw = 0;
            std::memcpy(&raw, bytes, std::size_t(width));
            if (kind == 'i' && width < 8 && (raw >> (8 * width - 1)) & 1)
                raw |= ~0ull << (8 * width); // sign-extend
            value = kind == 'i' ? double(std::int64_t(raw)) : double(raw);
        }
        out[std::size_t(i)] = float(value);
    }
    return out;
}

NdArray makeArray(const std::string &dtype, std::vector<std::int64_t> shape, const void *data, std::size_t bytes)
{
    NdArray array;
    array.dtype = dtype;
    array.shape = std::move(shape);
    array.data.assign(static_cast<const char *>(data), bytes);
    return array;
}

std::string pack(const OutMap &map)
{
    msgpack::sbuffer buffer;
    msgpack::packer<msgpack::sbuffer> out(&buffer);
    out.pack_map(std::uint32_t(map.size()));
    for (const auto &[key, value] : map) {
        out.pack(key);
        switch (value.kind) {
        case OutValue::Kind::String: out.pack(value.text); break;
        case OutValue::Kind::Int: out.pack(value.integer); break;
        case OutValue::Kind::Array:
            out.pack_map(4);
            packBinKey(out, "__ndarray__");
            out.pack(true);
            packBinKey(out, "data");
            out.pack_bin(std::uint32_t(value.array.data.size()));
            out.pack_bin_body(value.array.data.data(), std::uint32_t(value.array.data.size()));
            packBinKey(out, "dtype");
            out.pack(value.array.dtype);
            packBinKey(out, "shape");
            out.pack_array(std::uint32_t(value.array.shape.size()));
            for (const std::int64_t d : value.array.shape)
                out.pack(d);
            break;
        }
    }
    return {buffer.data(), buffer.size()};
}

Value unpack(const std::string &bytes)
{
    try {
        std::size_t offset = 0;
        const auto limits = msgpack::unpack_limit(1u << 20, 1u << 16, 1u << 30, 1u << 30, 0, kMaxDepth);
        msgpack::object_handle handle = msgpack::unpack(bytes.data(), bytes.size(), offset, nullptr, nullptr, limits);
        if (offset != bytes.size())
            throw std::runtime_error("bytes follow the message");
        return convert(handle.get(), 0);
    } catch (const msgpack::unpack_error &e) {
        throw std::runtime_error(std::string("not a msgpack message (") + e.what() + ")");
    } catch (const msgpack::type_error &) {
        throw std::runtime_error("not a msgpack message (type error)");
    }
}

} // namespace grids::remote
