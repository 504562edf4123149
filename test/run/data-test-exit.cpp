// RUN: %run_fix_test %s %t
//
// A recorder thread stops at the first reading out of range; the sampler,
// on the calling thread, goes on loading readings onto the full conveyor
// and blocks. The comparison tests the data: the sampler pushes no such
// marker. The fix stops the conveyor on the recorder's way out.
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

template <typename T> class Conveyor {
public:
  explicit Conveyor(std::size_t slots) : slots_(slots) {}
  bool load(T v) {
    std::unique_lock<std::mutex> lock(mu_);
    free_.wait(lock, [&] { return belt_.size() < slots_ || stopped_; });
    if (stopped_)
      return false;
    belt_.push_back(std::move(v));
    full_.notify_one();
    return true;
  }
  std::optional<T> unload() {
    std::unique_lock<std::mutex> lock(mu_);
    full_.wait(lock, [&] { return !belt_.empty() || stopped_; });
    if (belt_.empty())
      return std::nullopt;
    T v = std::move(belt_.front());
    belt_.pop_front();
    free_.notify_one();
    return v;
  }
  void stop() {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
    full_.notify_all();
    free_.notify_all();
  }

private:
  std::mutex mu_;
  std::condition_variable free_, full_;
  std::deque<T> belt_;
  std::size_t slots_;
  bool stopped_ = false;
};

struct Reading {
  int sensor;
  double celsius;
};

static Reading sample(int i) { return {i % 3, i == 5 ? -60.0 : 20.0 + i}; }

int main() {
  Conveyor<Reading> readings(4);
  int recorded = 0;
  std::thread recorder([&] {
    while (std::optional<Reading> r = readings.unload()) {
      if (r->celsius < -40.0) {
        std::printf("sensor %d out of range\n", r->sensor);
        return;
      }
      ++recorded;
    }
  });
  for (int i = 0; i < 100; ++i)
    if (!readings.load(sample(i)))
      break;
  readings.stop();
  recorder.join();
  std::printf("recorded %d readings\n", recorded);
  return 0;
}
