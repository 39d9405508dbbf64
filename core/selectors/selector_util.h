#pragma once

// Helpers shared by the selector rules (internal to core/selectors).

#include "selectors/selector.h"

#include <vector>

namespace grids::selectors::detail {

// Eight floats as one GCC vector value: its arithmetic becomes whatever each instruction set's
// copy of a function has (GRIDS_VECTOR_CLONES), without intrinsics.
typedef float Floats __attribute__((vector_size(8 * sizeof(float))));

// Row-normalised copy of n rows of `dim` floats (zero rows stay zero).
std::vector<float> normalisedRows(const float *rows, int n, int dim);

// Cosine similarities of a row with every row of a normalised matrix, each the sum of the
// products x[d]·y[d] in doubles in the order of d (as the selectors computed them one pair at a
// time before), but a whole row at a time over the transposed matrix: independent sums that the
// compiler vectorises (as wide as the processor allows: the lanes are independent, so every
// width gives the same sums), where one pair at a time waits on each addition. DivPrune and ToMe
// spend their time here.
class CosineRows
{
public:
    CosineRows(const float *unitRows, int n, int dim);
    // The cosines of the normalised row x (dim floats) with rows first..n-1 (the entries before
    // `first` are not computed); valid until the next call.
    const std::vector<float> &with(const float *x, int first = 0);

private:
    std::vector<float> m_columns; // [dim][n]
    std::vector<double> m_sums;
    std::vector<float> m_row;
    int m_n, m_dim;
};

// Checks that `method` can select `budget` tokens of this view (Error{Usage} naming what is
// wrong); "grids" cannot (its coordinates come from the checkpoint).
void checkSelectable(const std::string &method, const ViewTokens &view, int budget);

// DivPrune's greedy order: the first `budget` cells it keeps, in the order it picks them (the
// first K of any longer order are the order for K).
std::vector<int> divPruneOrder(const ViewTokens &view, int budget);

// SparseVLM's score of every cell (the summed attention of the instruction's words).
std::vector<float> sparseVlmScores(const ViewTokens &view);

// ToMe at several budgets (toMeEach in merging.cpp).
std::vector<std::vector<Token>> toMeEach(const ViewTokens &view, const std::vector<int> &budgets);

// One single-cell token per cell, in ascending cell order.
std::vector<Token> singleCells(std::vector<int> cells);

// The `count` cells with the largest scores (ties: the lower cell first).
std::vector<int> topCells(const std::vector<float> &scores, int count);

// Sorts tokens by their first cell (the dense order).
void sortByFirstCell(std::vector<Token> &tokens);

// A token that averages `cells` with equal weights.
Token meanOf(std::vector<int> cells);

} // namespace grids::selectors::detail
