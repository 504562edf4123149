// RUN: %check_clang_tidy %s fanout-stranded-producer,fanout-stranded-consumer,fanout-join-before-drain %t -- -- -std=c++20

// A finish() that may be called twice (by the owner, then by the
// destructor) tests and sets a flag first and leaves at once when it was
// set already: the first call closes, so a later call's early return
// strands nobody. A return on a flag that is only read is a real way out
// without the close.
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

template <typename T> class Chan {
public:
  explicit Chan(std::size_t most) : most_(most) {}
  bool send(T v) {
    std::unique_lock<std::mutex> lock(mu_);
    room_.wait(lock, [&] { return items_.size() < most_ || shut_; });
    if (shut_)
      return false;
    items_.push_back(std::move(v));
    ready_.notify_one();
    return true;
  }
  std::optional<T> recv() {
    std::unique_lock<std::mutex> lock(mu_);
    ready_.wait(lock, [&] { return !items_.empty() || shut_; });
    if (items_.empty())
      return std::nullopt;
    T v = std::move(items_.front());
    items_.pop_front();
    room_.notify_one();
    return v;
  }
  void shutdown() {
    std::lock_guard<std::mutex> lock(mu_);
    shut_ = true;
    ready_.notify_all();
    room_.notify_all();
  }

private:
  std::mutex mu_;
  std::condition_variable room_, ready_;
  std::deque<T> items_;
  std::size_t most_;
  bool shut_ = false;
};

// Correct: a second finish() leaves the shutdown to the first.
class FlagPool {
public:
  explicit FlagPool(int n) : tasks_(4) {
    for (int i = 0; i < n; ++i)
      crew_.emplace_back([this] {
        while (auto task = tasks_.recv())
          (*task)();
      });
  }
  bool submit(std::function<void()> f) { return tasks_.send(std::move(f)); }
  void finish() {
    if (finishing_.test_and_set())
      return;
    tasks_.shutdown();
    for (auto &t : crew_)
      t.join();
  }
  ~FlagPool() { finish(); }

private:
  std::atomic_flag finishing_;
  Chan<std::function<void()>> tasks_;
  std::vector<std::thread> crew_;
};

// Wrong: a paused pool's finish() leaves the workers waiting in recv().
class PausablePool {
public:
  explicit PausablePool(int n) : tasks_(4) {
    for (int i = 0; i < n; ++i)
      crew_.emplace_back([this] {
        while (auto task = tasks_.recv())
        // CHECK-MESSAGES: :[[@LINE-1]]:35: warning: consumers can block forever in 'recv' on queue 'tasks_' (Chan<std::function<void ()>>, capacity 4): the producer can finish without closing it [fanout-stranded-consumer]
          (*task)();
      });
  }
  bool submit(std::function<void()> f) { return tasks_.send(std::move(f)); }
  void pause() { paused_ = true; }
  void finish() {
    if (paused_)
      return;
    // CHECK-MESSAGES: :[[@LINE-1]]:7: note: producer returns here without closing 'tasks_'

    tasks_.shutdown();
    for (auto &t : crew_)
      t.join();
  }
  ~PausablePool() { finish(); }

private:
  bool paused_ = false;
  Chan<std::function<void()>> tasks_;
  std::vector<std::thread> crew_;
};

// Correct: the same with a stop flag exchanged, and a second pool whose
// close is a compare-and-swap winner's.
class SwapPool {
public:
  explicit SwapPool(int n) : work_(2) {
    for (int i = 0; i < n; ++i)
      hands_.emplace_back([this] {
        for (;;) {
          std::optional<std::function<void()>> job = work_.recv();
          if (!job)
            break;
          (*job)();
        }
      });
  }
  void post(std::function<void()> f) { work_.send(std::move(f)); }
  void stop() {
    if (stopped_.exchange(true))
      return;
    work_.shutdown();
    for (auto &h : hands_)
      h.join();
  }
  ~SwapPool() { stop(); }

private:
  std::atomic<bool> stopped_{false};
  Chan<std::function<void()>> work_;
  std::vector<std::thread> hands_;
};

class CasPool {
public:
  CasPool() : jobs_(8), runner_([this] {
    while (std::optional<std::function<void()>> job = jobs_.recv())
      (*job)();
  }) {}
  void add(std::function<void()> f) { jobs_.send(std::move(f)); }
  void close() {
    bool expected = false;
    if (!closing_.compare_exchange_strong(expected, true))
      return;
    jobs_.shutdown();
    runner_.join();
  }
  ~CasPool() { close(); }

private:
  std::atomic<bool> closing_{false};
  Chan<std::function<void()>> jobs_;
  std::thread runner_;
};

int main() {
  FlagPool a(2);
  a.submit([] {});
  PausablePool b(2);
  b.submit([] {});
  SwapPool c(3);
  c.post([] {});
  CasPool d;
  d.add([] {});
}
