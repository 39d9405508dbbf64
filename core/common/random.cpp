#include "common/random.h"

#include <algorithm>
#include <cmath>

namespace grids {

std::uint64_t Random::next()
{
    std::uint64_t z = (m_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

double Random::uniform(double lo, double hi)
{
    return lo + (hi - lo) * double(next() >> 11) * 0x1.0p-53;
}

double Random::normal()
{
    const double u1 = std::max(uniform(0.0, 1.0), 1e-300), u2 = uniform(0.0, 1.0);
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

int Random::index(int n)
{
    return int(next() % std::uint64_t(n));
}

} // namespace grids
