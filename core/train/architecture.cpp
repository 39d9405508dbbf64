#include "train/architecture.h"

#include "common/error.h"
#include "common/grid.h"
#include "model/head_keys.h"
#include "model/text_relevance.h"

#include <nlohmann/json.hpp>
#include <torch/script.h>

#include <cmath>

namespace grids::train {
namespace {

// Shared by both kinds: encoder, instruction words, transformer head.
const char *kCommonSource = R"JIT(
def linear(self, x: Tensor, w: Tensor, b: Tensor) -> Tensor:
    return torch.matmul(x, w) + b

def encode(self, images: Tensor) -> Tensor:
    B = images.size(0)
    V = images.size(1)
    x = images.reshape(B * V, 3, images.size(3), images.size(4))
    x = (x - 0.5) * 4.0
    # A 4×4 patch embedding, a 3×3 convolution at that resolution and a strided 3×3 one: half
    # the training cost of three strided 3-5 px convolutions for the same 16×16 output.
    x = torch.relu(torch.conv2d(x, self.conv1_w, self.conv1_b, [4, 4], [0, 0]))
    x = torch.relu(torch.conv2d(x, self.conv2_w, self.conv2_b, [1, 1], [1, 1]))
    x = torch.conv2d(x, self.conv3_w, self.conv3_b, [2, 2], [1, 1]) + self.pos_embed
    x = self.encoder_context(x.permute(0, 2, 3, 1))
    x = torch.layer_norm(x, [self.token_dim], self.enc_ln_w, self.enc_ln_b, 1e-5, False)
    return x.reshape(B, V, x.size(1), x.size(2), x.size(3))

def instruction_tokens(self, instruction: List[str]) -> Tensor:
    rows: List[List[int]] = []
    for sentence in instruction:
        words = sentence.lower().split()
        row: List[int] = []
        for i in range(self.text_len):
            if i < len(words):
                h = 0
                for c in words[i]:
                    h = (h * 31 + ord(c)) % 1000003
                row.append(h % (self.vocab - 1) + 1)
            else:
                row.append(0)
        rows.append(row)
    ids = torch.tensor(rows, device=self.text_embed.device)
    return torch.embedding(self.text_embed, ids) + self.text_pos

def embed_instruction(self, instruction: List[str]) -> Tensor:
    return self.instruction_tokens(instruction)

def attend(self, q: Tensor, k: Tensor, v: Tensor) -> Tuple[Tensor, Tensor]:
    B = q.size(0)
    H = self.heads
    D = self.token_dim // H
    qh = q.reshape(B, q.size(1), H, D).transpose(1, 2)
    kh = k.reshape(B, k.size(1), H, D).transpose(1, 2)
    vh = v.reshape(B, v.size(1), H, D).transpose(1, 2)
    attn = torch.softmax(torch.matmul(qh, kh.transpose(-2, -1)) * self.attn_scale, -1)
    out = torch.matmul(attn, vh).transpose(1, 2).reshape(B, q.size(1), self.token_dim)
    return out, attn

# The head: visual tokens with their context (model/head_keys.h), each layer's keys and values
# of them, and the action queries decoding from those (decode_keys), so that a sweep can reuse
# the dense cells' keys for every method that keeps cells as they are.
def head(self, tokens: Tensor, coords: Tensor, views: Tensor, instruction: List[str], state: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
    text = self.instruction_tokens(instruction)
    visual, marks = self.visual_context(tokens, coords, views, text)
    out, weights = self.decode_keys(self.layer_keys(visual), text, state)
    return out, weights, marks

def act_normalized(self, tokens: Tensor, coords: Tensor, views: Tensor, instruction: List[str], state: Tensor) -> Tuple[Tensor, Tensor]:
    out, weights, marks = self.head(tokens, coords, views, instruction, state)
    return self.linear(out, self.out_w, self.out_b), weights

def act(self, tokens: Tensor, coords: Tensor, views: Tensor, instruction: List[str], state: Tensor) -> Tuple[Tensor, Tensor]:
    actions, weights = self.act_normalized(tokens, coords, views, instruction, state)
    return actions * self.action_std + self.action_mean, weights

# Training's forward pass: normalised action chunks from images at a budget.
def predict(self, images: Tensor, state: Tensor, instruction: List[str], budget: int) -> Tensor:
    tokens, coords, views = self.select_tokens(images, instruction, budget)
    actions, weights = self.act_normalized(tokens, coords, views, instruction, state)
    return actions
)JIT";

// Object marking and readout (grids train --object-weight). Per token, after binding, two logits
// say how much it looks like the instruction's target and like its reference (trained against
// where the simulator shows them in each image), and are added back to the token through a
// learned embedding, so that the head's queries can find the named objects along one key
// direction instead of learning to from actions alone. Per token, so a subset of tokens is
// marked as inside the full set. The queries' final states, averaged, also predict the two
// objects' world positions (normalised): what they carry into the action must say where the
// named objects are, which a policy that continues its own motion never needs.
const char *kMarkObjectsSource = R"JIT(
def mark_objects(self, visual: Tensor) -> Tuple[Tensor, Tensor]:
    h = torch.layer_norm(visual, [self.token_dim], self.mark_ln_w, self.mark_ln_b, 1e-5, False)
    marks = self.linear(h, self.mark_w, self.mark_b)
    return visual + self.linear(marks, self.marked_w, self.marked_b), marks
)JIT";

// Training's forward pass with the objects: actions, the objects' positions read out, and the
// marks of the tokens the head saw with their coordinates and views (for the marking loss).
const char *kPredictWithObjectsSource = R"JIT(
def predict_with_objects(self, images: Tensor, state: Tensor, instruction: List[str], budget: int) -> Tuple[Tensor, Tensor, Tensor, Tensor, Tensor]:
    tokens, coords, views = self.select_tokens(images, instruction, budget)
    out, weights, marks = self.head(tokens, coords, views, instruction, state)
    actions = self.linear(out, self.out_w, self.out_b)
    return actions, self.linear(out.mean(1), self.obj_w, self.obj_b), marks, coords, views
)JIT";

const char *kNoObjectReadoutSource = R"JIT(
def mark_objects(self, visual: Tensor) -> Tuple[Tensor, Tensor]:
    return visual, visual[:, :, :0]
)JIT";

// Each visual token attends to the instruction's words (keys carry the word and its position):
// a red token learns whether "red" names the object to move (second word) or the place to put
// it (fifth), which a bag-of-words summary cannot tell apart. Per token, so any subset of tokens
// (a budget, a pruning baseline) gets exactly what it would have inside the full set.
const char *kBindingSource = R"JIT(
def bind_instruction(self, visual: Tensor, text: Tensor) -> Tensor:
    C = self.token_dim
    h = torch.layer_norm(visual, [C], self.bind_ln_w, self.bind_ln_b, 1e-5, False)
    words = torch.layer_norm(text, [C], self.bind_text_ln_w, self.bind_text_ln_b, 1e-5, False)
    kv = self.linear(words, self.bind_kv_w, self.bind_kv_b)
    o, _ = self.attend(self.linear(h, self.bind_q_w, self.bind_q_b), kv[:, :, :C], kv[:, :, C:])
    return visual + self.linear(o, self.bind_o_w, self.bind_o_b)
)JIT";

const char *kNoBindingSource = R"JIT(
def bind_instruction(self, visual: Tensor, text: Tensor) -> Tensor:
    return visual
)JIT";

// The encoder's global context (--encoder-context): one self-attention block over each view's
// cells, so that every cell's feature can say what else is in the image and where. Convolutions
// alone see ~20 px: the mean GridS pools its coordinates from then says what is in the image but
// not where, and its points settle into one fixed layout whatever the scene.
const char *kEncoderContextSource = R"JIT(
def encoder_context(self, x: Tensor) -> Tensor:
    C = self.token_dim
    t = x.reshape(x.size(0), x.size(1) * x.size(2), C)
    h = torch.layer_norm(t, [C], self.ctx_ln1_w, self.ctx_ln1_b, 1e-5, False)
    qkv = self.linear(h, self.ctx_qkv_w, self.ctx_qkv_b)
    o, _ = self.attend(qkv[:, :, :C], qkv[:, :, C:2 * C], qkv[:, :, 2 * C:])
    t = t + self.linear(o, self.ctx_o_w, self.ctx_o_b)
    h = torch.layer_norm(t, [C], self.ctx_ln2_w, self.ctx_ln2_b, 1e-5, False)
    t = t + self.linear(torch.relu(self.linear(h, self.ctx_w1, self.ctx_b1)), self.ctx_w2, self.ctx_b2)
    return t.reshape(x.size(0), x.size(1), x.size(2), C)
)JIT";

const char *kNoEncoderContextSource = R"JIT(
def encoder_context(self, x: Tensor) -> Tensor:
    return x
)JIT";

// Where GridS samples (--sampler): coordinates predicted from each image (learned, the method);
// or learned but the same for every image (fixed: one parameter per coordinate, a control that
// learns where but not from what it sees).
const char *kLearnedCoordinatesSource = R"JIT(
def sample_coords(self, features: Tensor, instruction: List[str]) -> Tensor:
    pooled = torch.layer_norm(features.mean([2, 3]), [self.token_dim], self.s_ln_w, self.s_ln_b, 1e-5, False)
    if self.instruction_conditioned:
        pooled = pooled + self.instruction_tokens(instruction).mean(1).unsqueeze(1)
    hidden = torch.relu(self.linear(pooled, self.s_w1, self.s_b1))
    coords = torch.sigmoid(self.linear(hidden, self.s_w2, self.s_b2))
    return coords.reshape(coords.size(0), coords.size(1), self.kmax, 2)

)JIT";

const char *kFixedCoordinatesSource = R"JIT(
def sample_coords(self, features: Tensor, instruction: List[str]) -> Tensor:
    coords = torch.sigmoid(self.fixed_logits)
    return coords.unsqueeze(0).unsqueeze(0).repeat(features.size(0), features.size(1), 1, 1)
)JIT";

// A control that learns neither where nor from what (--sampler pooled): the grid pooled into
// k×k blocks (K = k², each token the mean of its block's cells), coordinates the blocks' centres.
const char *kPooledSource = R"JIT(
def sample_coords(self, features: Tensor, instruction: List[str]) -> Tensor:
    return self.block_centres.unsqueeze(0).unsqueeze(0).repeat(features.size(0), features.size(1), 1, 1)

def sample(self, features: Tensor, budget: int, instruction: List[str]) -> Tuple[Tensor, Tensor]:
    B = features.size(0)
    V = features.size(1)
    C = features.size(4)
    side = self.pool_side
    maps = features.permute(0, 1, 4, 2, 3).reshape(B * V, C, features.size(2), features.size(3))
    pooled = torch.adaptive_avg_pool2d(maps, [side, side])
    tokens = pooled.reshape(B, V, C, side * side).permute(0, 1, 3, 2)[:, :, :budget]
    coords = self.sample_coords(features, instruction)[:, :, :budget]
    geometry = self.linear(torch.relu(self.linear(coords, self.g_w1, self.g_b1)), self.g_w2, self.g_b2)
    return coords, tokens + geometry
)JIT";

// A control with the privileged information GridS's looking loss gets (--sampler marks): keep
// each view's K cells most marked as the instruction's target or reference (the larger of the
// two mark logits, computed on every cell as the head would), as they are, at their centres. The
// marks are trained on every cell by the marking loss, so they learn to find the two objects
// whichever cells the head then sees; the choice itself passes no gradient.
const char *kMarksSource = R"JIT(
def select_by_marks(self, features: Tensor, budget: int, instruction: List[str]) -> Tuple[Tensor, Tensor, Tensor, Tensor, Tensor]:
    B = features.size(0)
    V = features.size(1)
    C = features.size(4)
    cells = features.size(2) * features.size(3)
    tokens, coords, views = self.every_cell(features)
    visual, marks = self.visual_context(tokens, coords, views, self.instruction_tokens(instruction))
    score = marks.detach().amax(2).reshape(B, V, cells)
    picked = torch.topk(score, budget, 2)[1]
    chosen = features.reshape(B, V, cells, C).gather(2, picked.unsqueeze(3).expand(B, V, budget, C))
    where = self.cell_centres.index_select(0, picked.reshape(-1)).reshape(B, V, budget, 2)
    return where, chosen, marks, coords, views

def sample(self, features: Tensor, budget: int, instruction: List[str]) -> Tuple[Tensor, Tensor]:
    where, chosen, marks, coords, views = self.select_by_marks(features, budget, instruction)
    return where, chosen

# The marking loss sees every cell's marks, not only the kept cells' (which the head's own
# marks are): the cells not kept must learn too.
def predict_with_objects(self, images: Tensor, state: Tensor, instruction: List[str], budget: int) -> Tuple[Tensor, Tensor, Tensor, Tensor, Tensor]:
    where, chosen, marks, coords, views = self.select_by_marks(self.encode(images), budget, instruction)
    tokens, kept_coords, kept_views = self.flatten_views(where, chosen)
    out, weights, kept_marks = self.head(tokens, kept_coords, kept_views, instruction, state)
    actions = self.linear(out, self.out_w, self.out_b)
    return actions, self.linear(out.mean(1), self.obj_w, self.obj_b), marks, coords, views
)JIT";

// Bilinear sampling at the coordinates (learned or fixed).
const char *kGridsSource = R"JIT(
def sample(self, features: Tensor, budget: int, instruction: List[str]) -> Tuple[Tensor, Tensor]:
    B = features.size(0)
    V = features.size(1)
    C = features.size(4)
    coords = self.sample_coords(features, instruction)[:, :, :budget]
    maps = features.permute(0, 1, 4, 2, 3).reshape(B * V, C, features.size(2), features.size(3))
    grid = (coords * 2.0 - 1.0).reshape(B * V, 1, budget, 2)
    sampled = torch.grid_sampler(maps, grid, 0, 1, False)
    tokens = sampled.reshape(B, V, C, budget).permute(0, 1, 3, 2)
    geometry = self.linear(torch.relu(self.linear(coords, self.g_w1, self.g_b1)), self.g_w2, self.g_b2)
    return coords, tokens + geometry
)JIT";

// What every sampler hands the head: K tokens per view, their coordinates and views.
const char *kSelectSampledSource = R"JIT(
def flatten_views(self, coords: Tensor, tokens: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
    B = tokens.size(0)
    V = tokens.size(1)
    K = tokens.size(2)
    views = torch.arange(V, device=tokens.device).repeat_interleave(K).unsqueeze(0).repeat(B, 1)
    return tokens.reshape(B, V * K, self.token_dim), coords.reshape(B, V * K, 2), views

def select_tokens(self, images: Tensor, instruction: List[str], budget: int) -> Tuple[Tensor, Tensor, Tensor]:
    coords, tokens = self.sample(self.encode(images), budget, instruction)
    return self.flatten_views(coords, tokens)
)JIT";

// Every cell of every view at its centre: the dense head's input, and what marks chooses from.
const char *kEveryCellSource = R"JIT(
def every_cell(self, features: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
    B = features.size(0)
    V = features.size(1)
    cells = features.size(2) * features.size(3)
    tokens = features.reshape(B, V * cells, self.token_dim)
    coords = self.cell_centres.unsqueeze(0).repeat(B, V, 1)
    views = torch.arange(V, device=tokens.device).repeat_interleave(cells).unsqueeze(0).repeat(B, 1)
    return tokens, coords, views
)JIT";

const char *kDenseSource = R"JIT(
def select_tokens(self, images: Tensor, instruction: List[str], budget: int) -> Tuple[Tensor, Tensor, Tensor]:
    return self.every_cell(self.encode(images))
)JIT";

// PyTorch's default initialisation of a linear layer: U(−1/√fan_in, 1/√fan_in).
torch::Tensor uniform(std::vector<std::int64_t> shape, std::int64_t fanIn)
{
    const double bound = 1.0 / std::sqrt(double(fanIn));
    return torch::empty(shape).uniform_(-bound, bound);
}

struct ParameterAdder
{
    torch::jit::Module &module;
    void add(const std::string &name, torch::Tensor value)
    {
        module.register_parameter(name, value, /*is_buffer=*/false);
    }
    void linear(const std::string &w,
                const std::string &b,
                std::int64_t in,
                std::int64_t out,
                std::int64_t stack = 0)
    {
        if (stack > 0) {
            add(w, uniform({stack, in, out}, in));
            add(b, uniform({stack, out}, in));
        } else {
            add(w, uniform({in, out}, in));
            add(b, uniform({out}, in));
        }
    }
    void conv(const std::string &name, std::int64_t in, std::int64_t out, std::int64_t k)
    {
        add(name + "_w", uniform({out, in, k, k}, in * k * k));
        add(name + "_b", uniform({out}, in * k * k));
    }
    void
    norm(const std::string &w, const std::string &b, std::int64_t width, std::int64_t stack = 0)
    {
        add(w, stack ? torch::ones({stack, width}) : torch::ones({width}));
        add(b, stack ? torch::zeros({stack, width}) : torch::zeros({width}));
    }
};

// A freshly initialised sampler would put every coordinate near the image centre (sigmoid of
// small numbers), where bilinear sampling gives the K tokens nearly the same features and
// gradients: training then spends thousands of steps pulling them apart. Start instead from the
// R2 low-discrepancy sequence (Roberts' generalised golden ratio), whose first K points cover
// the image evenly for every K, as nested budgets need, with small input-dependent weights.
void spreadInitialCoordinates(torch::jit::Module &module, std::int64_t kmax, const std::string &logits)
{
    const double plastic = 1.32471795724474602596;
    const double a1 = 1.0 / plastic, a2 = 1.0 / (plastic * plastic);
    torch::Tensor values = module.attr(logits).toTensor().view({kmax * 2});
    torch::NoGradGuard noGrad;
    for (std::int64_t k = 0; k < kmax; ++k) {
        const double n = double(k + 1);
        const double xy[2] = {std::fmod(0.5 + a1 * n, 1.0), std::fmod(0.5 + a2 * n, 1.0)};
        for (int d = 0; d < 2; ++d) {
            const double p = 0.06 + 0.88 * xy[d];
            values[2 * k + d] = std::log(p / (1.0 - p));
        }
    }
}

// The centres of a side × side grid's cells, row-major: [side², 2] image-normalised (x, y).
torch::Tensor squareGridCentres(std::int64_t side)
{
    torch::Tensor centres = torch::empty({side * side, 2});
    for (std::int64_t j = 0; j < side; ++j)
        for (std::int64_t i = 0; i < side; ++i) {
            centres[j * side + i][0] = cellCentre<double>(int(i), int(side));
            centres[j * side + i][1] = cellCentre<double>(int(j), int(side));
        }
    return centres;
}

// One compilation unit: the common methods call bind_instruction, mark_objects and
// select_tokens, which each configuration defines its own way.
std::string policySource(const ArchitectureConfig &c)
{
    std::string source = std::string(kCommonSource) + kVisualContextSource + kHeadKeysSource;
    source += c.instructionBinding ? std::string(kBindingSource) + kTextRelevanceSource
                                   : std::string(kNoBindingSource);
    if (c.kind != "grids")
        source += std::string(kEveryCellSource) + kDenseSource;
    else if (c.sampler == "pooled")
        source += std::string(kPooledSource) + kSelectSampledSource;
    else if (c.sampler == "fixed")
        source += std::string(kFixedCoordinatesSource) + kGridsSource + kSelectSampledSource;
    else if (c.sampler == "marks")
        source += std::string(kEveryCellSource) + kMarksSource + kSelectSampledSource;
    else
        source += std::string(kLearnedCoordinatesSource) + kGridsSource + kSelectSampledSource;
    if (c.objectReadout) {
        source += kMarkObjectsSource;
        if (c.sampler != "marks" || c.kind != "grids") // marks defines its own
            source += kPredictWithObjectsSource;
    } else {
        source += kNoObjectReadoutSource;
    }
    source += c.encoderContext ? kEncoderContextSource : kNoEncoderContextSource;
    return source;
}

} // namespace

torch::jit::Module buildPolicyModule(const ArchitectureConfig &c, unsigned long seed)
{
    if (c.imageSize % 8 != 0 || c.imageSize < 16)
        throw usageError("image size " + std::to_string(c.imageSize) +
                         " must be a multiple of 8 (the encoder halves it three times)");
    if (c.tokenDim % c.heads != 0)
        throw usageError("token width must be divisible by the number of heads");
    torch::manual_seed(seed);
    const std::int64_t C = c.tokenDim, g = c.grid(), V = std::int64_t(c.views.size());
    torch::jit::Module module("GridsPolicy");
    ParameterAdder p{module};

    p.conv("conv1", 3, 32, 4);
    p.conv("conv2", 32, 64, 3);
    p.conv("conv3", 64, C, 3);
    p.add("pos_embed", torch::randn({C, g, g}) * 0.02);
    p.norm("enc_ln_w", "enc_ln_b", C);

    p.add("text_embed", torch::randn({c.vocabulary, C}) * 0.02);
    p.add("text_pos", torch::randn({c.textLength, C}) * 0.02);
    p.add("view_embed", torch::randn({V, C}) * 0.02);
    p.linear("hc_w", "hc_b", 2, C);
    p.linear("hs_w", "hs_b", c.stateDim, C);
    p.add("queries", torch::randn({c.horizon, C}) * 0.02);
    p.linear("ht_w", "ht_b", C, C);
    // Decoder layers: action queries self-attend, cross-attend to the context (instruction
    // words, state, visual tokens), then a feed-forward; the context is never updated, so the
    // cost grows with tokens × queries, not tokens², and dense training stays affordable.
    p.norm("ln1_w", "ln1_b", C, c.layers);
    p.linear("wqkv", "bqkv", C, 3 * C, c.layers);
    p.linear("wo", "bo", C, C, c.layers);
    p.norm("ln2_w", "ln2_b", C, c.layers);
    p.norm("lnc_w", "lnc_b", C, c.layers);
    p.linear("xq_w", "xq_b", C, C, c.layers);
    p.linear("xkv_w", "xkv_b", C, 2 * C, c.layers);
    p.linear("xo_w", "xo_b", C, C, c.layers);
    p.norm("ln3_w", "ln3_b", C, c.layers);
    p.linear("w1", "b1", C, c.feedForward, c.layers);
    p.linear("w2", "b2", c.feedForward, C, c.layers);
    p.norm("out_ln_w", "out_ln_b", C);
    p.linear("out_w", "out_b", C, c.actionDim);
    if (c.instructionBinding) {
        p.norm("bind_ln_w", "bind_ln_b", C);
        p.norm("bind_text_ln_w", "bind_text_ln_b", C);
        p.linear("bind_q_w", "bind_q_b", C, C);
        p.linear("bind_kv_w", "bind_kv_b", C, 2 * C);
        p.linear("bind_o_w", "bind_o_b", C, C);
    }

    const bool grids = c.kind == "grids";
    if (grids) {
        if (c.sampler == "learned") {
            p.norm("s_ln_w", "s_ln_b", C);
            p.linear("s_w1", "s_b1", C, 512);
            p.linear("s_w2", "s_b2", 512, 2 * c.budgetMax);
            spreadInitialCoordinates(module, c.budgetMax, "s_b2");
            module.attr("s_w2").toTensor().detach().mul_(0.1); // small input-dependent weights
        } else if (c.sampler == "fixed") {
            p.add("fixed_logits", torch::zeros({c.budgetMax, 2}));
            spreadInitialCoordinates(module, c.budgetMax, "fixed_logits");
        } else if (c.sampler == "pooled") {
            const std::int64_t side = std::llround(std::sqrt(double(c.budgetMax)));
            if (side * side != c.budgetMax || side > g || c.nested)
                throw settingError("sampler", "pooled needs one square budget k² with k ≤ " +
                                                  std::to_string(g) + " (got " +
                                                  std::to_string(c.budgetMax) + ")");
            module.register_buffer("block_centres", squareGridCentres(side));
            module.register_attribute("pool_side", c10::IntType::get(), side);
        } else if (c.sampler == "marks") {
            if (!c.objectReadout)
                throw settingError("sampler", "marks keeps the cells the object marks point at: "
                                              "it needs the object readout (--object-weight)");
            if (c.budgetMax > g * g)
                throw settingError("sampler", "marks keeps at most the " + std::to_string(g * g) +
                                                  " cells of a view (got " +
                                                  std::to_string(c.budgetMax) + ")");
            module.register_buffer("cell_centres", squareGridCentres(g));
        } else {
            throw settingError("sampler",
                               "must be learned, fixed, pooled or marks (got " + c.sampler + ")");
        }
        if (c.sampler != "marks") { // marks keeps cells as they are, as a dense head sees them
            p.linear("g_w1", "g_b1", 2, 256);
            p.linear("g_w2", "g_b2", 256, C);
        }
    } else {
        module.register_buffer("cell_centres", squareGridCentres(g));
    }
    if (c.objectReadout) {
        p.linear("obj_w", "obj_b", C, kObjectValues);
        p.norm("mark_ln_w", "mark_ln_b", C);
        p.linear("mark_w", "mark_b", C, 2);
        p.linear("marked_w", "marked_b", 2, C);
        module.register_buffer("object_mean", torch::zeros({kObjectValues}));
        module.register_buffer("object_std", torch::ones({kObjectValues}));
    }
    if (c.encoderContext) {
        p.norm("ctx_ln1_w", "ctx_ln1_b", C);
        p.linear("ctx_qkv_w", "ctx_qkv_b", C, 3 * C);
        p.linear("ctx_o_w", "ctx_o_b", C, C);
        p.norm("ctx_ln2_w", "ctx_ln2_b", C);
        p.linear("ctx_w1", "ctx_b1", C, c.feedForward);
        p.linear("ctx_w2", "ctx_b2", c.feedForward, C);
    }
    // Normalisation statistics, set from the training data before training.
    module.register_buffer("state_mean", torch::zeros({c.stateDim}));
    module.register_buffer("state_std", torch::ones({c.stateDim}));
    // State dimensions the head does not see (zero after normalisation).
    torch::Tensor stateMask = torch::ones({c.stateDim});
    for (int d : c.maskedStateDims) {
        if (d < 0 || d >= c.stateDim)
            throw usageError("masked state dimension " + std::to_string(d) +
                             " is outside the state's " + std::to_string(c.stateDim));
        stateMask[d] = 0.0;
    }
    module.register_buffer("state_mask", stateMask);
    module.register_buffer("action_mean", torch::zeros({c.actionDim}));
    module.register_buffer("action_std", torch::ones({c.actionDim}));

    module.register_attribute("token_dim", c10::IntType::get(), C);
    module.register_attribute("heads", c10::IntType::get(), std::int64_t(c.heads));
    module.register_attribute("layers", c10::IntType::get(), std::int64_t(c.layers));
    module.register_attribute("horizon", c10::IntType::get(), std::int64_t(c.horizon));
    module.register_attribute("text_len", c10::IntType::get(), std::int64_t(c.textLength));
    module.register_attribute("vocab", c10::IntType::get(), std::int64_t(c.vocabulary));
    module.register_attribute("kmax", c10::IntType::get(), std::int64_t(c.budgetMax));
    module.register_attribute("instruction_conditioned", c10::BoolType::get(),
                              c.instructionConditioned);
    module.register_attribute("attn_scale", c10::FloatType::get(),
                              1.0 / std::sqrt(double(C / c.heads)));
    module.define(policySource(c));
    return module;
}

std::string
checkpointJson(const ArchitectureConfig &c, const std::string &name, const std::string &trainJson)
{
    const double g = c.grid();
    // Encoder FLOPs per view: three convolutions (2 FLOPs per multiply-add), and the context
    // block when there is one: q, k, v and output projections, scores and weighted sums over
    // g² cells, the feed-forward.
    const double cells = g * g, C = c.tokenDim;
    const double contextFlops =
        c.encoderContext
            ? 2.0 * (cells * C * 4 * C + 2 * cells * cells * C + 2 * cells * C * c.feedForward)
            : 0.0;
    const double encoderFlops =
        2.0 * ((g * 2) * (g * 2) * 32 * 3 * 16 + (g * 2) * (g * 2) * 64 * 32 * 9 +
               g * g * c.tokenDim * 64 * 9) +
        contextFlops;
    nlohmann::json doc = {
        {"format", "grids-checkpoint"},
        {"version", 1},
        {"name", name},
        {"kind", c.kind},
        {"views", c.views},
        {"image_size", {c.imageSize, c.imageSize}},
        {"grid", {c.grid(), c.grid()}},
        {"token_dim", c.tokenDim},
        {"state_keys", c.stateKeys},
        {"state_dim", c.stateDim},
        {"action_dim", c.actionDim},
        {"action_horizon", c.horizon},
        {"control_hz", c.controlHz},
        {"head",
         {{"layers", c.layers},
          {"width", c.tokenDim},
          {"ff", c.feedForward},
          {"heads", c.heads},
          // A decoder: the action queries cross-attend to the context, which holds the
          // instruction words and the state token besides the visual tokens.
          {"attention", "cross"},
          {"context_extra", c.textLength + 1}}},
        {"encoder", {{"flops_per_view", encoderFlops}}},
        {"architecture",
         {{"text_length", c.textLength},
          {"vocabulary", c.vocabulary},
          {"instruction_conditioned", c.instructionConditioned},
          {"instruction_binding", c.instructionBinding},
          {"masked_state", c.maskedStateDims},
          {"object_readout", c.objectReadout},
          {"encoder_context", c.encoderContext},
          {"sampler", c.sampler}}},
        {"train", nlohmann::json::parse(trainJson.empty() ? "{}" : trainJson)},
    };
    if (c.kind == "grids")
        doc["budget"] = {{"max", c.budgetMax}, {"default", c.budgetDefault}, {"nested", c.nested}};
    return doc.dump(2);
}

ArchitectureConfig configFromJson(const std::string &text)
{
    const auto doc = nlohmann::json::parse(text);
    ArchitectureConfig c;
    c.kind = doc.at("kind").get<std::string>();
    c.views = doc.at("views").get<std::vector<std::string>>();
    c.stateKeys = doc.value("state_keys", std::vector<std::string>{});
    c.imageSize = doc.at("image_size")[0].get<int>();
    c.tokenDim = doc.at("token_dim").get<int>();
    c.stateDim = doc.at("state_dim").get<int>();
    c.actionDim = doc.at("action_dim").get<int>();
    c.horizon = doc.at("action_horizon").get<int>();
    c.controlHz = doc.value("control_hz", 20.0);
    if (c.kind == "grids") {
        c.budgetMax = doc.at("budget").at("max").get<int>();
        c.budgetDefault = doc.at("budget").at("default").get<int>();
        c.nested = doc.at("budget").at("nested").get<bool>();
    }
    c.layers = doc.at("head").at("layers").get<int>();
    c.heads = doc.at("head").at("heads").get<int>();
    c.feedForward = doc.at("head").at("ff").get<int>();
    const auto &architecture = doc.at("architecture");
    c.textLength = architecture.at("text_length").get<int>();
    c.vocabulary = architecture.at("vocabulary").get<int>();
    c.instructionConditioned = architecture.at("instruction_conditioned").get<bool>();
    // Checkpoints written before the binding layer existed have none.
    c.instructionBinding = architecture.value("instruction_binding", false);
    c.maskedStateDims = architecture.value("masked_state", std::vector<int>{});
    c.objectReadout = architecture.value("object_readout", false);
    c.encoderContext = architecture.value("encoder_context", false);
    c.sampler = architecture.value("sampler", std::string("learned")); // before the controls
    return c;
}

} // namespace grids::train
