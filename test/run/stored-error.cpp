// RUN: %run_fix_test %s %t
//
// A feed thread relays readings into a queue and, when the source breaks,
// leaves its error in the queue for the reader and stops. The queue's pop
// waits only for readings or a release, so the reader sleeps on. The fix
// is in the queue's class: the pop wakes on the stored error and rethrows
// it, and the method that stores it wakes the waiters. On the path without
// an error nothing changes.
#include <condition_variable>
#include <cstdio>
#include <exception>
#include <list>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

class Feed {
public:
  void put(int reading) {
    std::lock_guard<std::mutex> lk(m_);
    readings_.push_back(reading);
    arrived_.notify_one();
  }
  std::optional<int> get() {
    std::unique_lock<std::mutex> lk(m_);
    arrived_.wait(lk, [&] { return !readings_.empty() || done_; });
    if (readings_.empty())
      return std::nullopt;
    int reading = readings_.front();
    readings_.pop_front();
    return reading;
  }
  void finish() {
    std::lock_guard<std::mutex> lk(m_);
    done_ = true;
    arrived_.notify_all();
  }
  void setError(std::exception_ptr error) {
    std::lock_guard<std::mutex> lk(m_);
    error_ = error;
  }

private:
  std::mutex m_;
  std::condition_variable arrived_;
  std::list<int> readings_;
  bool done_ = false;
  std::exception_ptr error_;
};

static int sample(int i) {
  if (i == 7)
    throw std::runtime_error("sensor offline");
  return 20 + i;
}

int main() {
  Feed feed;
  std::thread feeder([&] {
    try {
      for (int i = 0; i < 10; ++i)
        feed.put(sample(i));
      feed.finish();
    } catch (...) {
      feed.setError(std::current_exception());
    }
  });
  int sum = 0;
  try {
    while (std::optional<int> reading = feed.get())
      sum += *reading;
    std::printf("sum %d\n", sum);
  } catch (const std::exception &e) {
    std::printf("feed failed after sum %d: %s\n", sum, e.what());
  }
  feeder.join();
  return 0;
}
// CHECK-FIXES: arrived_.wait(lk, [&] { return error_ || (!readings_.empty() || done_); });
// CHECK-FIXES: std::rethrow_exception(error_);
// CHECK-FIXES: error_ = error;
// CHECK-FIXES-NEXT: arrived_.notify_all();
