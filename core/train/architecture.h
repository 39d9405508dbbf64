#pragma once

// The project's own policy architecture (issue "checkpoints"): a per-view CNN encoder to an
// h×w grid of C-wide tokens, GridS (METHODS.md: pooled grid → LayerNorm → MLP C→512→2K →
// sigmoid coordinates, bilinear sampling, coordinate embedding 2→256→C) with optional nested
// budgets and instruction conditioning, and a small transformer action head: action queries
// that attend to instruction words, state and the selected tokens (with coordinate, view and
// instruction embeddings), layer by layer (a decoder; grids.json says "attention": "cross").
//
// One definition: the TorchScript source below is compiled into a torch::jit::Module whose
// parameters are trained from C++ and which is saved as the contract checkpoint. There is no
// second hand-written copy to drift.

#include <string>
#include <vector>

namespace torch::jit {
struct Module;
}

namespace grids::train {

struct ArchitectureConfig
{
    std::string kind = "grids"; // "grids" or "dense"
    std::vector<std::string> views = {"agentview_rgb", "eye_in_hand_rgb"};
    std::vector<std::string> stateKeys = {"ee_pos", "ee_ori", "gripper_states"};
    int imageSize = 128; // square images; the grid is imageSize / 8 per side
    int tokenDim = 64;
    int stateDim = 8;
    int actionDim = 7;
    int horizon = 8;
    int budgetMax = 64;     // GridS: coordinates predicted (K_max)
    int budgetDefault = 16; // GridS: the budget trained for (non-nested) or suggested (nested)
    bool nested = true;
    // GridS's coordinates: "learned" from each image (the method); the controls "fixed" (learned,
    // the same for every image) and "pooled" (k×k block means, K = k², nothing learned).
    std::string sampler = "learned";
    bool instructionConditioned = false;
    bool instructionBinding = true; // visual tokens attend to the instruction's words
    // State dimensions hidden from the head (none by default). Hiding the gripper's x and y
    // (0, 1) keeps a policy cloned from demonstrations from reading where to go from where it
    // has already gone instead of looking; it did not raise closed-loop success by itself
    // (datasets/README.md).
    std::vector<int> maskedStateDims;
    // Object marking and readout: per-token target/reference logits added back to the tokens,
    // and the two objects' positions read out of the queries; trained as auxiliary losses
    // (method predict_with_objects; buffers object_mean, object_std).
    bool objectReadout = false;
    // One self-attention block over each view's cells at the end of the encoder.
    bool encoderContext = false;
    int layers = 3, heads = 4, feedForward = 256;
    int textLength = 12, vocabulary = 512;
    double controlHz = 20.0;

    int grid() const { return imageSize / 8; }
};

// What the object readout predicts: target xyz, then reference xyz.
constexpr int kObjectValues = 6;

// Builds a freshly initialised module (seeded), with normalisation buffers at identity.
torch::jit::Module buildPolicyModule(const ArchitectureConfig &config, unsigned long seed);

// grids.json for a module of this configuration (training facts filled in by the caller).
std::string checkpointJson(const ArchitectureConfig &config,
                           const std::string &name,
                           const std::string &trainJson);

// Reads the architecture back from a checkpoint's grids.json (for --resume).
ArchitectureConfig configFromJson(const std::string &json);

} // namespace grids::train
