#pragma once

// Helpers shared by the selector rules (internal to core/selectors).

#include "selectors/selector.h"

#include <vector>

namespace grids::selectors::detail {

// Row-normalised copy of n rows of `dim` floats (zero rows stay zero).
std::vector<float> normalisedRows(const float *rows, int n, int dim);

// Cosine similarity of row a and row b of a normalised matrix.
float cosine(const std::vector<float> &unit, int dim, int a, int b);

// One single-cell token per cell, in ascending cell order.
std::vector<Token> singleCells(std::vector<int> cells);

// The `count` cells with the largest scores (ties: the lower cell first).
std::vector<int> topCells(const std::vector<float> &scores, int count);

// Sorts tokens by their first cell (the dense order).
void sortByFirstCell(std::vector<Token> &tokens);

// A token that averages `cells` with equal weights.
Token meanOf(std::vector<int> cells);

} // namespace grids::selectors::detail
