#pragma once

// Where the cells of a token grid sit, in one place (CHECKPOINT.md's convention: image-normalised
// x and y, 0 at the left/top edge, 1 at the right/bottom edge). The policy's dense coordinates,
// the selectors' token coordinates and the trained architecture's `cell_centres` buffer all come
// from here.

#include <array>
#include <type_traits>

namespace grids {

// The centre of cell i of n equal cells along an axis of length `length`: (i + ½)·length/n, so
// with the default length the image-normalised centre (i + ½)/n. The multiplication comes before
// the division, as it always did where a centre is scaled (cells of a coarser lattice measured in
// cells of the dense grid, a merged token's weighted centre): the other order rounds differently,
// and coordinates must stay bit for bit what checkpoints and stored results were made with.
template <typename T = float> constexpr T cellCentre(int i, int n, T length = T(1))
{
    static_assert(std::is_floating_point_v<T>, "a centre in whole numbers would be truncated");
    return (T(i) + T(0.5)) * length / T(n);
}

// The image-normalised centre of cell (i, j) of a w × h grid: ((i + ½)/w, (j + ½)/h). Cells are
// numbered row-major, j·w + i.
inline std::array<float, 2> cellCentre(int i, int j, int w, int h)
{
    return {cellCentre<float>(i, w), cellCentre<float>(j, h)};
}

} // namespace grids
