#include "episodes/hdf5_util.h"

namespace grids::h5 {

std::recursive_mutex &libraryLock()
{
    static std::recursive_mutex lock;
    return lock;
}

void silenceErrorStack()
{
    static std::once_flag once;
    std::call_once(once, [] { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); });
}

Handle &Handle::operator=(Handle &&other) noexcept
{
    if (this != &other) {
        reset();
        m_id = other.m_id;
        m_closer = other.m_closer;
        other.m_id = -1;
    }
    return *this;
}

void Handle::reset()
{
    if (m_id >= 0 && m_closer)
        m_closer(m_id);
    m_id = -1;
}

bool linkExists(hid_t parent, const std::string &name)
{
    return H5Lexists(parent, name.c_str(), H5P_DEFAULT) > 0;
}

namespace {
// True when `name` under `parent` exists and is an object of `type` (a soft link to nothing, or a
// dataset where a group is expected, is not).
bool isObjectOfType(hid_t parent, const std::string &name, H5O_type_t type)
{
    H5O_info_t info;
    return linkExists(parent, name) &&
           H5Oget_info_by_name(parent, name.c_str(), &info, H5P_DEFAULT) >= 0 && info.type == type;
}
} // namespace

Handle openGroup(hid_t parent, const std::string &name)
{
    if (!isObjectOfType(parent, name, H5O_TYPE_GROUP))
        return {};
    return Handle(H5Gopen2(parent, name.c_str(), H5P_DEFAULT), &H5Gclose);
}

Handle openDataset(hid_t parent, const std::string &name)
{
    if (!isObjectOfType(parent, name, H5O_TYPE_DATASET))
        return {};
    return Handle(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), &H5Dclose);
}

std::vector<std::string> childNames(hid_t group)
{
    std::vector<std::string> names;
    auto collect = [](hid_t, const char *name, const H5L_info_t *, void *data) -> herr_t {
        static_cast<std::vector<std::string> *>(data)->emplace_back(name);
        return 0;
    };
    H5Literate(group, H5_INDEX_NAME, H5_ITER_NATIVE, nullptr, collect, &names);
    return names;
}

std::vector<std::uint64_t> shapeOf(hid_t dataset)
{
    Handle space(H5Dget_space(dataset), &H5Sclose);
    if (!space)
        return {};
    const int rank = H5Sget_simple_extent_ndims(space.get());
    if (rank < 0)
        return {};
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
    H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
    return {dims.begin(), dims.end()};
}

bool isUint8(hid_t dataset)
{
    Handle type(H5Dget_type(dataset), &H5Tclose);
    return type && H5Tget_class(type.get()) == H5T_INTEGER && H5Tget_size(type.get()) == 1 &&
           H5Tget_sign(type.get()) == H5T_SGN_NONE;
}

bool isNumeric(hid_t dataset)
{
    Handle type(H5Dget_type(dataset), &H5Tclose);
    if (!type)
        return false;
    const H5T_class_t cls = H5Tget_class(type.get());
    return cls == H5T_INTEGER || cls == H5T_FLOAT;
}

std::optional<std::string> stringAttribute(hid_t object, const std::string &name)
{
    if (H5Aexists(object, name.c_str()) <= 0)
        return std::nullopt;
    Handle attr(H5Aopen(object, name.c_str(), H5P_DEFAULT), &H5Aclose);
    Handle type(H5Aget_type(attr.get()), &H5Tclose);
    if (!attr || !type || H5Tget_class(type.get()) != H5T_STRING)
        return std::nullopt;
    Handle space(H5Aget_space(attr.get()), &H5Sclose);
    if (H5Sget_simple_extent_npoints(space.get()) != 1)
        return std::nullopt;
    if (H5Tis_variable_str(type.get()) > 0) {
        Handle memType(H5Tcopy(H5T_C_S1), &H5Tclose);
        H5Tset_size(memType.get(), H5T_VARIABLE);
        H5Tset_cset(memType.get(), H5Tget_cset(type.get()));
        char *value = nullptr;
        if (H5Aread(attr.get(), memType.get(), &value) < 0)
            return std::nullopt;
        std::string out = value ? value : "";
        H5free_memory(value);
        return out;
    }
    const size_t size = H5Tget_size(type.get());
    std::string buffer(size, '\0');
    if (H5Aread(attr.get(), type.get(), buffer.data()) < 0)
        return std::nullopt;
    buffer.resize(buffer.find('\0') == std::string::npos ? size : buffer.find('\0'));
    return buffer;
}

std::optional<std::int64_t> integerAttribute(hid_t object, const std::string &name)
{
    if (H5Aexists(object, name.c_str()) <= 0)
        return std::nullopt;
    Handle attr(H5Aopen(object, name.c_str(), H5P_DEFAULT), &H5Aclose);
    Handle type(H5Aget_type(attr.get()), &H5Tclose);
    if (!attr || !type)
        return std::nullopt;
    Handle space(H5Aget_space(attr.get()), &H5Sclose);
    if (H5Sget_simple_extent_npoints(space.get()) != 1)
        return std::nullopt;
    const H5T_class_t cls = H5Tget_class(type.get());
    if (cls == H5T_INTEGER) {
        std::int64_t value = 0;
        if (H5Aread(attr.get(), H5T_NATIVE_INT64, &value) < 0)
            return std::nullopt;
        return value;
    }
    if (cls == H5T_ENUM && H5Tget_size(type.get()) == 1) {
        // h5py stores Python bools as an int8 enum {FALSE, TRUE}.
        std::int8_t value = 0;
        if (H5Aread(attr.get(), type.get(), &value) < 0)
            return std::nullopt;
        return value;
    }
    if (cls == H5T_FLOAT) {
        double value = 0;
        if (H5Aread(attr.get(), H5T_NATIVE_DOUBLE, &value) < 0)
            return std::nullopt;
        return std::int64_t(value);
    }
    return std::nullopt;
}

void writeStringAttribute(hid_t object, const std::string &name, const std::string &value)
{
    // Variable-length UTF-8, as h5py writes Python str attributes.
    Handle type(H5Tcopy(H5T_C_S1), &H5Tclose);
    H5Tset_size(type.get(), H5T_VARIABLE);
    H5Tset_cset(type.get(), H5T_CSET_UTF8);
    Handle space(H5Screate(H5S_SCALAR), &H5Sclose);
    if (H5Aexists(object, name.c_str()) > 0)
        H5Adelete(object, name.c_str());
    Handle attr(H5Acreate2(object, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
                &H5Aclose);
    const char *data = value.c_str();
    H5Awrite(attr.get(), type.get(), &data);
}

void writeIntegerAttribute(hid_t object, const std::string &name, std::int64_t value)
{
    Handle space(H5Screate(H5S_SCALAR), &H5Sclose);
    if (H5Aexists(object, name.c_str()) > 0)
        H5Adelete(object, name.c_str());
    Handle attr(
        H5Acreate2(object, name.c_str(), H5T_STD_I64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT),
        &H5Aclose);
    H5Awrite(attr.get(), H5T_NATIVE_INT64, &value);
}

} // namespace grids::h5
