#include "model/checkpoint_archive.h"

#include "common/error.h"
#include "model/policy_support.h"
#include "model/zip_entry_sizes.h"

#include <caffe2/serialize/file_adapter.h>
#include <caffe2/serialize/inline_container.h>
#include <caffe2/serialize/read_adapter_interface.h>

#include <algorithm>
#include <cstring>
#include <memory>

namespace grids {
namespace {

using policy_support::firstLine;

constexpr const char *kRecord = "extra/grids.json";
// grids.json is a few kB; a larger record is not taken for the metadata. (LibTorch's reader has
// already allocated it by then, no more than checkZipEntrySizes lets an entry claim.)
constexpr std::size_t kMaxJsonBytes = 16 << 20;

// Bytes in memory as the archive reader's input. LibTorch's own memory adapter copies whatever
// range it is asked for; this one never reads past the end.
class BytesAdapter final : public caffe2::serialize::ReadAdapterInterface
{
public:
    explicit BytesAdapter(const std::string &bytes)
        : m_bytes(bytes)
    {
    }
    size_t size() const override { return m_bytes.size(); }
    size_t read(uint64_t pos, void *buf, size_t n, const char * /*what*/) const override
    {
        if (pos >= m_bytes.size())
            return 0;
        const std::size_t count = std::min<std::size_t>(n, m_bytes.size() - std::size_t(pos));
        std::memcpy(buf, m_bytes.data() + pos, count);
        return count;
    }

private:
    const std::string &m_bytes;
};

std::string readJson(const std::string &source, std::shared_ptr<caffe2::serialize::ReadAdapterInterface> in)
{
    // LibTorch's reader allocates every record it opens at the size the zip claims, starting in its
    // constructor; the claims are checked before it sees the archive.
    checkZipEntrySizes(source, in->size(), [&](std::uint64_t offset, void *buffer, std::size_t count) -> std::size_t {
        try {
            return in->read(offset, buffer, count, "checking the zip directory");
        } catch (const std::exception &) {
            return 0;
        }
    });
    std::unique_ptr<caffe2::serialize::PyTorchStreamReader> reader;
    try {
        reader = std::make_unique<caffe2::serialize::PyTorchStreamReader>(std::move(in));
    } catch (const std::exception &e) {
        throw badInput(source + ": not a TorchScript checkpoint (" + firstLine(e.what()) + ")");
    }
    try {
        if (!reader->hasRecord(kRecord))
            throw badInput(source + ": no grids.json inside (not a grids-checkpoint)");
        auto [data, size] = reader->getRecord(kRecord);
        if (size > kMaxJsonBytes)
            throw badInput(source + ": grids.json is " + std::to_string(size) + " bytes, more than a checkpoint's metadata");
        return std::string(static_cast<const char *>(data.get()), size);
    } catch (const Error &) {
        throw;
    } catch (const std::exception &e) {
        throw badInput(source + ": cannot read grids.json (" + firstLine(e.what()) + ")");
    }
}

} // namespace

std::string readCheckpointJson(const std::string &path)
{
    std::shared_ptr<caffe2::serialize::ReadAdapterInterface> in;
    try {
        in = std::make_shared<caffe2::serialize::FileAdapter>(path);
    } catch (const std::exception &e) {
        throw badInput(path + ": cannot be read (" + firstLine(e.what()) + ")");
    }
    return readJson(path, std::move(in));
}

std::string readCheckpointJsonFromBytes(const std::string &source, const std::string &bytes)
{
    return readJson(source, std::make_shared<BytesAdapter>(bytes));
}

} // namespace grids
