#pragma once

// Token selection (METHODS.md, "Baselines"): which of one view's dense h×w tokens, or which
// merges of them, go to the action head at a budget of K tokens per view. Plain C++ on float
// arrays: no LibTorch here, so each rule can be read and hand-checked on its own.
//
// Every selector returns its tokens as groups of dense cells with weights that sum to 1: the
// token's feature and coordinate are the weighted means of its cells' features and centres.
// A pruning method keeps single cells (weight 1); a merging method (ToMe, VisionZip's contextual
// tokens, uniform pooling) puts several cells in one group with equal weights, which is exactly
// the size-weighted average of repeated pairwise merges. Tokens come in the order of their first
// cell, so with K = h·w every selector hands the head the dense tokens in the dense order and
// reproduces the dense action.
//
// GridS is not here: its coordinates come from the checkpoint's own `sample` (model/policy).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace grids::selectors {

// One view's inputs. `features` is h·w rows of `dim` floats, row-major cells (j·w + i).
struct ViewTokens
{
    int gridWidth = 0, gridHeight = 0, dim = 0;
    const float *features = nullptr;
    // The action head's attention over this view's cells from one pass on the dense set (FastV,
    // VisionZip); empty when the method does not need it.
    std::vector<float> attention;
    // SparseVLM's text signal: for every cell (rows) and instruction word (columns, `words` of
    // them), how strongly the model relates the two, as a logit: the checkpoint's learned
    // token–word attention (`text_relevance`), else scaled dot products with its word
    // embeddings (`embed_instruction`, relevanceFromEmbeddings). -inf marks a word that rates
    // nothing (padding). Empty when the method does not need it.
    std::vector<float> textRelevance;
    int words = 0;
    // Seeds `random`: the same frame and view give the same cells.
    std::uint64_t seed = 0;
    // The cosine of every pair of cells (cellCosines), where a caller that runs several of the
    // methods that read it (needsOf: cellCosines) on one view computes it once for all of them;
    // empty, each computes what it needs. Either way the selections are the same to the bit.
    std::shared_ptr<const std::vector<float>> cosines;

    int cells() const { return gridWidth * gridHeight; }
};

struct Token
{
    std::vector<int> cells;     // dense cells, ascending
    std::vector<float> weights; // same length, sum 1
};

// The selectors METHODS.md names, in its order; "grids" and "dense" are included.
const std::vector<std::string> &methodNames();
bool isKnownMethod(const std::string &method);

// What a method needs besides the dense tokens.
struct Needs
{
    bool headAttention = false;        // fastv, visionzip
    bool textRelevance = false;        // sparsevlm
    bool checkpointSampler = false;    // grids
    bool cellCosines = false;          // divprune, tome, visionzip read ViewTokens::cosines
};
Needs needsOf(const std::string &method);

// Throws Error{Usage} naming the method for an unknown method or a budget outside 1 … h·w.
// "dense" ignores the budget and keeps every cell.
std::vector<Token> select(const std::string &method, const ViewTokens &view, int budget);

// The selections at each of `budgets`, each what select() gives at that budget, with the work
// the budgets share done once: DivPrune's greedy order and FastV's and SparseVLM's rankings
// (the selection at K is the first K of the order at the largest budget) and ToMe's rounds
// (every budget follows the same rounds until its last). A sweep over budgets uses it.
std::vector<std::vector<Token>>
selectEach(const std::string &method, const ViewTokens &view, const std::vector<int> &budgets);

// The cosines of the view's normalised features, every cell with every cell (cells × cells,
// row-major, symmetric to the bit): each the sum over d, in order and in doubles, of the products
// of the two rows' entries, as DivPrune, ToMe and VisionZip compare cells.
std::shared_ptr<const std::vector<float>> cellCosines(const ViewTokens &view);

// The individual rules (select() dispatches to them), exposed for tests.
std::vector<Token> selectRandom(const ViewTokens &view, int budget);
std::vector<Token> selectUniform(const ViewTokens &view, int budget);
std::vector<Token> selectTopAttention(const ViewTokens &view, int budget); // fastv
std::vector<Token> selectSparseVlm(const ViewTokens &view, int budget);
// The fallback text signal for checkpoints that only embed their words: cells × words logits,
// each the dot product of a cell's feature with a word's embedding (rows of `dim`) over √dim.
// Meaningful only where the embeddings live in the tokens' space.
std::vector<float> relevanceFromEmbeddings(const ViewTokens &view, const std::vector<float> &embeddings);
std::vector<Token> selectToMe(const ViewTokens &view, int budget);
std::vector<Token> selectDivPrune(const ViewTokens &view, int budget);
std::vector<Token> selectVisionZip(const ViewTokens &view, int budget);

// Token features (K × dim) and image-normalised coordinates (K × 2, cell centres averaged)
// of a selection.
std::vector<float> tokenFeatures(const ViewTokens &view, const std::vector<Token> &tokens);
std::vector<float> tokenCoordinates(const ViewTokens &view, const std::vector<Token> &tokens);

} // namespace grids::selectors
