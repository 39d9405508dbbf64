#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace grids {

// The metadata a checkpoint carries in grids.json (CHECKPOINT.md), validated. Plain data: the UI
// and the CLI read it without touching LibTorch.
struct CheckpointInfo
{
    std::string path;
    std::string sha256; // content key of the file
    std::string name;
    std::string kind; // "grids" or "dense"
    std::vector<std::string> views;
    int imageHeight = 0, imageWidth = 0;
    int gridHeight = 0, gridWidth = 0; // h × w dense token grid per view
    int tokenDim = 0;
    std::vector<std::string> stateKeys;
    int stateDim = 0;
    int actionDim = 0;
    int actionHorizon = 0;
    double controlHz = 0.0;
    // Budgets (GridS checkpoints): tokens per view.
    int budgetMax = 0, budgetDefault = 0;
    bool nested = false;
    // Action head shape, for the FLOPs model.
    int headLayers = 0, headWidth = 0, headFF = 0, headHeads = 0;
    // "self": all tokens attend to each other (a VLA's LLM); "cross": action queries attend to
    // the context (the project's decoder head), with `headContextExtra` non-visual context tokens.
    std::string headAttention = "self";
    int headContextExtra = 0;
    // How a GridS checkpoint places its tokens: "learned" (GridS; any checkpoint that does not
    // say), or the project's controls "fixed", "pooled" and "marks".
    std::string sampler = "learned";
    // Optional: the encoder's FLOPs per view, when the checkpoint states it.
    std::optional<double> encoderFlopsPerView;
    // Contract methods found in the module; "act_from_keys" where the head runs from each
    // layer's keys (model/head_keys.h), checked at load to reproduce act.
    std::vector<std::string> methods;
    std::int64_t parameters = 0;
    std::string json; // grids.json as stored
    bool remote = false; // served by a policy server (path is its ws:// URL)

    int cellsPerView() const { return gridHeight * gridWidth; }
    bool isGrids() const { return kind == "grids"; }
    // The selection the checkpoint was trained with: what runs when no method is asked for.
    std::string ownMethod() const { return isGrids() ? "grids" : "dense"; }
    bool hasMethod(const std::string &method) const;
};

// Parses and validates grids.json; throws Error{BadInput} "PATH: grids.json: …" naming the first
// missing or malformed key.
CheckpointInfo parseCheckpointJson(const std::string &path, const std::string &json);

} // namespace grids
