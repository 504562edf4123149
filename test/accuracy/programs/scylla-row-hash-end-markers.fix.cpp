// accuracy-family: stranded-consumer
// accuracy-origin: scylladb PR #6320 (issues #6272, #6248): the skipped end-of-stream push of repair/row_level.cc at 460881f910^, here with one end marker per consumer
// accuracy-shape: queue=cv-hand-written queue-api=push/pop close=none end-marker=empty-optional-per-consumer spawner=std::jthread-vector producer=calling-function consumer=lambda exit=throw-before-markers fix=scope-guard-pushes-markers wait=jthread-scope-end
//
// The repair master hashes the rows of a range with a few hasher threads
// that share one work queue. The queue has no close: each hasher stops at
// its own end marker (an empty optional). After the rows, the master checks
// that the last row is inside the range boundary (a step that can throw)
// and only then pushes one marker per hasher. When the check throws, the
// markers are skipped, and the jthreads' destructors wait forever for
// hashers that wait for a marker.
//
// The fix: run the end-of-stream step on every path. A scope guard,
// declared after the threads so that it is destroyed before them, pushes
// the markers whether the range check passes or throws.
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

struct repair_row {
  std::uint64_t token;
  std::string value;
};
using repair_row_opt = std::optional<repair_row>;

template <typename T> class bounded_fifo {
public:
  explicit bounded_fifo(std::size_t cap) : cap_(cap) {}
  void push(T v) {
    std::unique_lock<std::mutex> lk(m_);
    space_.wait(lk, [&] { return q_.size() < cap_; });
    q_.push_back(std::move(v));
    items_.notify_one();
  }
  T pop() {
    std::unique_lock<std::mutex> lk(m_);
    items_.wait(lk, [&] { return !q_.empty(); });
    T v = std::move(q_.front());
    q_.pop_front();
    space_.notify_one();
    return v;
  }

private:
  std::mutex m_;
  std::condition_variable space_, items_;
  std::deque<T> q_;
  std::size_t cap_;
};

// Runs its action when the scope is left, however it is left.
template <typename F> class defer {
public:
  explicit defer(F f) : f_(std::move(f)) {}
  ~defer() { f_(); }
  defer(const defer &) = delete;

private:
  F f_;
};

struct repair_range {
  std::uint64_t start, end; // (start, end]
};

static std::uint64_t row_hash(const repair_row &r) {
  std::uint64_t h = 1469598103934665603ull ^ r.token;
  for (char c : r.value)
    h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return h;
}

static void check_sync_boundary(const repair_range &range, const repair_row &last) {
  if (last.token <= range.start || last.token > range.end)
    throw std::runtime_error("row at token " + std::to_string(last.token) +
                             " is outside the repair range");
}

std::uint64_t hash_range(const repair_range &range, const std::vector<repair_row> &rows,
                         unsigned nr_hashers) {
  bounded_fifo<repair_row_opt> work(8);
  std::vector<std::uint64_t> partial(nr_hashers);
  {
    std::vector<std::jthread> hashers;
    for (unsigned i = 0; i < nr_hashers; ++i)
      hashers.emplace_back([&work, &partial, i] {
        while (true) {
          repair_row_opt row = work.pop();
          if (!row)
            return;
          partial[i] ^= row_hash(*row);
        }
      });
    defer end_of_stream([&work, nr_hashers] {
      for (unsigned i = 0; i < nr_hashers; ++i)
        work.push(repair_row_opt());
    });
    for (const repair_row &r : rows)
      work.push(r);
    check_sync_boundary(range, rows.back());
  } // the markers are pushed, then the hashers are joined
  std::uint64_t digest = 0;
  for (std::uint64_t p : partial)
    digest ^= p;
  return digest;
}

int main() {
  repair_range range{1000, 2000};
  std::vector<repair_row> rows;
  // The follower's rows overrun the range it was asked for.
  for (std::uint64_t t = 1001; t <= 2040; t += 4)
    rows.push_back({t, "v" + std::to_string(t)});
  try {
    std::uint64_t digest = hash_range(range, rows, 4);
    std::printf("range hashed: %llx\n", static_cast<unsigned long long>(digest));
  } catch (const std::exception &e) {
    std::printf("repair failed: %s\n", e.what());
  }
  return 0;
}
