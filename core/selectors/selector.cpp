#include "selectors/selector.h"

#include "common/error.h"
#include "common/grid.h"
#include "common/random.h"
#include "common/vector_clones.h"
#include "selectors/selector_util.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

namespace grids::selectors {
namespace detail {

std::vector<float> normalisedRows(const float *rows, int n, int dim)
{
    std::vector<float> unit(rows, rows + std::size_t(n) * std::size_t(dim));
    for (int r = 0; r < n; ++r) {
        float *row = unit.data() + std::size_t(r) * std::size_t(dim);
        double squared = 0;
        for (int d = 0; d < dim; ++d)
            squared += double(row[d]) * row[d];
        const double norm = std::sqrt(squared);
        if (norm > 0)
            for (int d = 0; d < dim; ++d)
                row[d] = float(row[d] / norm);
    }
    return unit;
}

CosineRows::CosineRows(const float *unitRows, int n, int dim)
    : m_columns(std::size_t(n) * std::size_t(dim))
    , m_sums(std::size_t(n))
    , m_row(std::size_t(n))
    , m_n(n)
    , m_dim(dim)
{
    for (int r = 0; r < n; ++r)
        for (int d = 0; d < dim; ++d)
            m_columns[std::size_t(d) * std::size_t(n) + std::size_t(r)] =
                unitRows[std::size_t(r) * std::size_t(dim) + std::size_t(d)];
}

namespace {

// sums[b] += x[d] · columns[d][b] for d in order, b in first..n-1, the same sums in every
// instruction set's copy.
GRIDS_VECTOR_CLONES
void accumulateColumns(double *sums, const float *x, const float *columns, int n, int dim, int first)
{
    for (int d = 0; d < dim; ++d) {
        const double xd = x[d];
        const float *column = columns + std::size_t(d) * std::size_t(n);
        for (int b = first; b < n; ++b)
            sums[b] += xd * column[b];
    }
}

} // namespace

const std::vector<float> &CosineRows::with(const float *x, int first)
{
    std::fill(m_sums.begin() + first, m_sums.end(), 0.0);
    accumulateColumns(m_sums.data(), x, m_columns.data(), m_n, m_dim, first);
    for (int b = first; b < m_n; ++b)
        m_row[std::size_t(b)] = float(m_sums[std::size_t(b)]);
    return m_row;
}

void checkSelectable(const std::string &method, const ViewTokens &view, int budget)
{
    if (!isKnownMethod(method) || method == "grids") {
        std::string known;
        for (const auto &name : methodNames())
            known += (known.empty() ? "" : ", ") + name;
        throw usageError(method == "grids"
                             ? "method grids comes from the checkpoint's sampler"
                             : "unknown method '" + method + "' (known: " + known + ")");
    }
    const int n = view.cells();
    if (method == "dense")
        return;
    if (budget < 1 || budget > n)
        throw usageError("budget " + std::to_string(budget) + " for " + method + " is outside 1.." +
                         std::to_string(n) + " (the cells of a view)");
    if (needsOf(method).headAttention && int(view.attention.size()) != n)
        throw usageError(method + " needs the head's attention over the " + std::to_string(n) +
                         " cells of each view");
}

std::vector<Token> singleCells(std::vector<int> cells)
{
    std::sort(cells.begin(), cells.end());
    std::vector<Token> tokens;
    tokens.reserve(cells.size());
    for (int c : cells)
        tokens.push_back({{c}, {1.0f}});
    return tokens;
}

std::vector<int> topCells(const std::vector<float> &scores, int count)
{
    std::vector<int> order(scores.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](int a, int b) { return scores[std::size_t(a)] > scores[std::size_t(b)]; });
    order.resize(std::size_t(std::min<int>(count, int(order.size()))));
    return order;
}

void sortByFirstCell(std::vector<Token> &tokens)
{
    std::sort(tokens.begin(), tokens.end(),
              [](const Token &a, const Token &b) { return a.cells.front() < b.cells.front(); });
}

Token meanOf(std::vector<int> cells)
{
    std::sort(cells.begin(), cells.end());
    Token token;
    token.weights.assign(cells.size(), 1.0f / float(cells.size()));
    token.cells = std::move(cells);
    return token;
}

} // namespace detail

const std::vector<std::string> &methodNames()
{
    static const std::vector<std::string> names = {"grids",   "dense",    "random",
                                                   "uniform", "fastv",    "sparsevlm",
                                                   "tome",    "divprune", "visionzip"};
    return names;
}

bool isKnownMethod(const std::string &method)
{
    const auto &names = methodNames();
    return std::find(names.begin(), names.end(), method) != names.end();
}

Needs needsOf(const std::string &method)
{
    Needs needs;
    needs.headAttention = method == "fastv" || method == "visionzip";
    needs.textRelevance = method == "sparsevlm";
    needs.checkpointSampler = method == "grids";
    needs.cellCosines = method == "divprune" || method == "tome" || method == "visionzip";
    return needs;
}

namespace {

constexpr int kTileRows = 4, kTileColumns = 16;
typedef double Doubles __attribute__((vector_size(8 * sizeof(double))));
using detail::Floats;

// The cosines of rows a0 … a0+3 with columns b0 … b0+15, for every such tile from the diagonal's
// on, into `matrix` (n × n). Each sum starts at zero and adds x[d]·y[d] in doubles in the order
// of d, as CosineRows does, but 4 × 16 sums stay in registers over the whole of d instead of
// going to memory and back for every d. `rows` holds the normalised rows padded with zero rows
// to a multiple of 4, `columns` them transposed ([dim][np], zero columns up to np).
GRIDS_VECTOR_CLONES
void cosineTiles(const float *rows, const float *columns, int n, int np, int dim, float *matrix)
{
    for (int a0 = 0; a0 < n; a0 += kTileRows)
        for (int b0 = a0 / kTileColumns * kTileColumns; b0 < n; b0 += kTileColumns) {
            Doubles sums[kTileRows][2] = {};
            for (int d = 0; d < dim; ++d) {
                Floats low, high;
                std::memcpy(&low, columns + std::size_t(d) * std::size_t(np) + std::size_t(b0),
                            sizeof low);
                std::memcpy(&high, columns + std::size_t(d) * std::size_t(np) + std::size_t(b0 + 8),
                            sizeof high);
                const Doubles y0 = __builtin_convertvector(low, Doubles);
                const Doubles y1 = __builtin_convertvector(high, Doubles);
                for (int r = 0; r < kTileRows; ++r) {
                    const double x = rows[std::size_t(a0 + r) * std::size_t(dim) + std::size_t(d)];
                    sums[r][0] += x * y0;
                    sums[r][1] += x * y1;
                }
            }
            for (int r = 0; r < kTileRows && a0 + r < n; ++r)
                for (int l = 0; l < kTileColumns && b0 + l < n; ++l)
                    matrix[std::size_t(a0 + r) * std::size_t(n) + std::size_t(b0 + l)] =
                        float(sums[r][l / 8][l % 8]);
        }
}

} // namespace

std::shared_ptr<const std::vector<float>> cellCosines(const ViewTokens &view)
{
    const int n = view.cells(), dim = view.dim;
    std::vector<float> unit = detail::normalisedRows(view.features, n, dim);
    const int np = (n + kTileColumns - 1) / kTileColumns * kTileColumns;
    std::vector<float> columns(std::size_t(dim) * std::size_t(np), 0.0f);
    for (int r = 0; r < n; ++r)
        for (int d = 0; d < dim; ++d)
            columns[std::size_t(d) * std::size_t(np) + std::size_t(r)] =
                unit[std::size_t(r) * std::size_t(dim) + std::size_t(d)];
    unit.resize(std::size_t((n + kTileRows - 1) / kTileRows * kTileRows) * std::size_t(dim), 0.0f);
    auto cosines = std::make_shared<std::vector<float>>(std::size_t(n) * std::size_t(n));
    std::vector<float> &matrix = *cosines;
    cosineTiles(unit.data(), columns.data(), n, np, dim, matrix.data());
    // Below the tiles, mirrored: the products of a pair are summed in the same order either way
    // round, so the matrix is symmetric to the bit.
    for (int a = 0; a < n; ++a)
        for (int b = 0; b < a / kTileRows * kTileRows / kTileColumns * kTileColumns; ++b)
            matrix[std::size_t(a) * std::size_t(n) + std::size_t(b)] =
                matrix[std::size_t(b) * std::size_t(n) + std::size_t(a)];
    return cosines;
}

std::vector<Token> select(const std::string &method, const ViewTokens &view, int budget)
{
    detail::checkSelectable(method, view, budget);
    if (method == "dense") {
        std::vector<int> all(static_cast<std::size_t>(view.cells()));
        std::iota(all.begin(), all.end(), 0);
        return detail::singleCells(all);
    }
    if (method == "random")
        return selectRandom(view, budget);
    if (method == "uniform")
        return selectUniform(view, budget);
    if (method == "fastv")
        return selectTopAttention(view, budget);
    if (method == "sparsevlm")
        return selectSparseVlm(view, budget);
    if (method == "tome")
        return selectToMe(view, budget);
    if (method == "divprune")
        return selectDivPrune(view, budget);
    return selectVisionZip(view, budget);
}

std::vector<std::vector<Token>>
selectEach(const std::string &method, const ViewTokens &view, const std::vector<int> &budgets)
{
    for (int budget : budgets)
        detail::checkSelectable(method, view, budget);
    std::vector<std::vector<Token>> selections;
    if (budgets.empty())
        return selections;
    // Orders whose first K cells are the selection at K: computed once, at the largest budget.
    const int most = *std::max_element(budgets.begin(), budgets.end());
    std::vector<int> order;
    if (method == "divprune")
        order = detail::divPruneOrder(view, most);
    else if (method == "fastv")
        order = detail::topCells(view.attention, most);
    else if (method == "sparsevlm")
        order = detail::topCells(detail::sparseVlmScores(view), most);
    else if (method == "tome")
        return detail::toMeEach(view, budgets);
    else {
        for (int budget : budgets)
            selections.push_back(select(method, view, budget));
        return selections;
    }
    for (int budget : budgets)
        selections.push_back(
            detail::singleCells(std::vector<int>(order.begin(), order.begin() + budget)));
    return selections;
}

std::vector<Token> selectRandom(const ViewTokens &view, int budget)
{
    // Partial Fisher–Yates shuffle with the project's seeded generator.
    Random random(view.seed);
    std::vector<int> cells(static_cast<std::size_t>(view.cells()));
    std::iota(cells.begin(), cells.end(), 0);
    for (int k = 0; k < budget; ++k)
        std::swap(cells[std::size_t(k)],
                  cells[std::size_t(k + random.index(int(cells.size()) - k))]);
    cells.resize(std::size_t(budget));
    return detail::singleCells(cells);
}

std::vector<Token> selectUniform(const ViewTokens &view, int budget)
{
    const int w = view.gridWidth, h = view.gridHeight;
    const int side = int(std::lround(std::sqrt(double(budget))));
    std::vector<Token> tokens;
    if (side * side == budget && side <= w && side <= h) {
        // Square budgets pool the grid into side × side blocks (fixed-grid pooling).
        for (int by = 0; by < side; ++by)
            for (int bx = 0; bx < side; ++bx) {
                std::vector<int> cells;
                for (int j = by * h / side; j < (by + 1) * h / side; ++j)
                    for (int i = bx * w / side; i < (bx + 1) * w / side; ++i)
                        cells.push_back(j * w + i);
                tokens.push_back(detail::meanOf(cells));
            }
    } else {
        // Other budgets keep the cell under each point of a columns × rows lattice, row by row.
        const int columns = std::min(w, int(std::ceil(std::sqrt(double(budget)))));
        const int rows = (budget + columns - 1) / columns;
        std::vector<int> cells;
        for (int r = 0; r < rows && int(cells.size()) < budget; ++r)
            for (int c = 0; c < columns && int(cells.size()) < budget; ++c) {
                // The lattice point's centre measured in dense cells, truncated to its cell.
                const int i = int(cellCentre(c, columns, double(w)));
                const int j = int(cellCentre(r, rows, double(h)));
                cells.push_back(std::min(j, h - 1) * w + std::min(i, w - 1));
            }
        return detail::singleCells(cells);
    }
    detail::sortByFirstCell(tokens);
    return tokens;
}

std::vector<float> tokenFeatures(const ViewTokens &view, const std::vector<Token> &tokens)
{
    const std::size_t dim = std::size_t(view.dim);
    std::vector<float> out(tokens.size() * dim, 0.0f);
    for (std::size_t k = 0; k < tokens.size(); ++k)
        for (std::size_t m = 0; m < tokens[k].cells.size(); ++m) {
            const float *cell = view.features + std::size_t(tokens[k].cells[m]) * dim;
            const float weight = tokens[k].weights[m];
            for (std::size_t d = 0; d < dim; ++d)
                out[k * dim + d] += weight * cell[d];
        }
    return out;
}

std::vector<float> tokenCoordinates(const ViewTokens &view, const std::vector<Token> &tokens)
{
    std::vector<float> out(tokens.size() * 2, 0.0f);
    for (std::size_t k = 0; k < tokens.size(); ++k)
        for (std::size_t m = 0; m < tokens[k].cells.size(); ++m) {
            // Each cell's centre scaled by its weight: the weighted mean of the centres.
            const int cell = tokens[k].cells[m];
            const float weight = tokens[k].weights[m];
            out[2 * k] += cellCentre(cell % view.gridWidth, view.gridWidth, weight);
            out[2 * k + 1] += cellCentre(cell / view.gridWidth, view.gridHeight, weight);
        }
    return out;
}

} // namespace grids::selectors
