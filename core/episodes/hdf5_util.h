#pragma once

// Internal to core/episodes: small RAII and attribute helpers over the HDF5 C API, shared by the
// LIBERO reader and writer. Not part of core's public headers.

#include <hdf5.h>

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace grids::h5 {

// Debian's HDF5 is built without thread safety: every call into the library holds this lock.
std::recursive_mutex &libraryLock();

// Silences HDF5's own error printing (it would write a stack trace to stderr on every failed
// probe); errors are reported through our exceptions instead. Idempotent.
void silenceErrorStack();

// Closes an hid_t with the matching H5?close on destruction.
class Handle
{
public:
    using Closer = herr_t (*)(hid_t);
    Handle() = default;
    Handle(hid_t id, Closer closer)
        : m_id(id)
        , m_closer(closer)
    {}
    Handle(Handle &&other) noexcept
        : m_id(other.m_id)
        , m_closer(other.m_closer)
    {
        other.m_id = -1;
    }
    Handle &operator=(Handle &&other) noexcept;
    Handle(const Handle &) = delete;
    Handle &operator=(const Handle &) = delete;
    ~Handle() { reset(); }

    void reset();
    hid_t get() const { return m_id; }
    bool valid() const { return m_id >= 0; }
    explicit operator bool() const { return valid(); }

private:
    hid_t m_id = -1;
    Closer m_closer = nullptr;
};

Handle openGroup(hid_t parent, const std::string &name);
Handle openDataset(hid_t parent, const std::string &name);
bool linkExists(hid_t parent, const std::string &name);
// Names of the links directly inside a group.
std::vector<std::string> childNames(hid_t group);
// Dimensions of a dataset (empty on failure).
std::vector<std::uint64_t> shapeOf(hid_t dataset);
bool isUint8(hid_t dataset);
bool isNumeric(hid_t dataset);

// Attribute readers: nullopt when absent or of another kind. Strings may be stored either as
// variable-length (h5py's default) or fixed-length strings.
std::optional<std::string> stringAttribute(hid_t object, const std::string &name);
std::optional<std::int64_t> integerAttribute(hid_t object, const std::string &name);

void writeStringAttribute(hid_t object, const std::string &name, const std::string &value);
void writeIntegerAttribute(hid_t object, const std::string &name, std::int64_t value);

} // namespace grids::h5
