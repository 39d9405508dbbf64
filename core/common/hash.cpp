#include "common/hash.h"

#include "common/error.h"

#include <openssl/evp.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

namespace grids {
namespace {

struct DigestContext
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    DigestContext() { EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr); }
    ~DigestContext() { EVP_MD_CTX_free(ctx); }
    void update(const void *data, size_t n) { EVP_DigestUpdate(ctx, data, n); }
    std::string hex()
    {
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned int length = 0;
        EVP_DigestFinal_ex(ctx, digest, &length);
        static const char *digits = "0123456789abcdef";
        std::string out;
        out.reserve(length * 2);
        for (unsigned int i = 0; i < length; ++i) {
            out.push_back(digits[digest[i] >> 4]);
            out.push_back(digits[digest[i] & 15]);
        }
        return out;
    }
};

} // namespace

std::string sha256OfFile(const std::string &path)
{
    std::unique_ptr<FILE, int (*)(FILE *)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!file)
        throw badInput(path + ": cannot read (" + std::strerror(errno) + ")");
    DigestContext digest;
    std::vector<char> buffer(1 << 20);
    size_t n = 0;
    while ((n = std::fread(buffer.data(), 1, buffer.size(), file.get())) > 0)
        digest.update(buffer.data(), n);
    if (std::ferror(file.get()))
        throw badInput(path + ": read error while hashing");
    return digest.hex();
}

std::string sha256OfBytes(const std::string &bytes)
{
    DigestContext digest;
    digest.update(bytes.data(), bytes.size());
    return digest.hex();
}

} // namespace grids
