#pragma once

#include <cstdint>

namespace grids {

// A small deterministic random source (splitmix64), so simulator layouts, expert noise and
// seeded selectors do not depend on the standard library's distribution implementations: the
// same seed gives the same numbers on every machine.
class Random
{
public:
    explicit Random(std::uint64_t seed)
        : m_state(seed)
    {}
    std::uint64_t next();
    double uniform(double lo, double hi);
    double normal(); // standard normal (Box–Muller)
    int index(int n);

private:
    std::uint64_t m_state;
};

} // namespace grids
