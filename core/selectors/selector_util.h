#pragma once

// Helpers shared by the selector rules (internal to core/selectors).

#include "selectors/selector.h"

#include <vector>

namespace grids::selectors::detail {

// Row-normalised copy of n rows of `dim` floats (zero rows stay zero).
std::vector<float> normalisedRows(const float *rows, int n, int dim);

// Cosine similarity of row a and row b of a normalised matrix.
float cosine(const std::vector<float> &unit, int dim, int a, int b);

// Every cosine similarity of one row with all rows of a normalised matrix, each equal to
// cosine() bit for bit (the same products summed in the same order), but computed a row at a
// time over the transposed matrix: independent sums that the compiler vectorises, where one
// cosine() at a time waits on each addition. DivPrune and ToMe spend their time here.
class CosineRows
{
public:
    CosineRows(const std::vector<float> &unit, int n, int dim);
    // Row a's cosines with rows 0..n-1; valid until the next call.
    const std::vector<float> &of(int a);

private:
    const std::vector<float> &m_unit;
    std::vector<float> m_columns; // [dim][n]
    std::vector<double> m_sums;
    std::vector<float> m_row;
    int m_n, m_dim;
};

// One single-cell token per cell, in ascending cell order.
std::vector<Token> singleCells(std::vector<int> cells);

// The `count` cells with the largest scores (ties: the lower cell first).
std::vector<int> topCells(const std::vector<float> &scores, int count);

// Sorts tokens by their first cell (the dense order).
void sortByFirstCell(std::vector<Token> &tokens);

// A token that averages `cells` with equal weights.
Token meanOf(std::vector<int> cells);

} // namespace grids::selectors::detail
