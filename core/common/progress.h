#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

namespace grids {

// Every long job in core takes a Progress: a callback for "done of total" and a cancellation
// flag that another thread may set. Jobs check `cancelled()` between units of work and throw
// Error{Cancelled} after leaving everything they wrote consistent.
struct Progress
{
    std::function<void(std::int64_t done, std::int64_t total, const std::string &what)> report;
    const std::atomic<bool> *cancel = nullptr; // Not owned.

    void operator()(std::int64_t done, std::int64_t total, const std::string &what = {}) const
    {
        if (report)
            report(done, total, what);
    }
    bool cancelled() const { return cancel && cancel->load(std::memory_order_relaxed); }
};

} // namespace grids
