// RUN: %run_fix_test %s %t
//
// A prefetcher fills a bounded queue on its own thread; its callers take one
// item a call (`next()`) and stop when they have what they need. The
// destructor only lowers a flag before it joins: the filler, asleep in
// put() on the full queue, never looks at the flag again, and the join never
// returns. The fix closes the queue before the join; put() then reports the
// close and the filler returns.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <thread>

template <typename T> class Channel {
public:
  explicit Channel(std::size_t limit) : limit_(limit) {}
  bool put(T v) {
    std::unique_lock<std::mutex> lk(m_);
    cv_.wait(lk, [this] { return closed_ || items_.size() < limit_; });
    if (closed_)
      return false;
    items_.push_back(std::move(v));
    cv_.notify_all();
    return true;
  }
  bool take(T &v) {
    std::unique_lock<std::mutex> lk(m_);
    cv_.wait(lk, [this] { return closed_ || !items_.empty(); });
    if (items_.empty())
      return false;
    v = std::move(items_.front());
    items_.pop_front();
    cv_.notify_all();
    return true;
  }
  void close() {
    std::lock_guard<std::mutex> lk(m_);
    closed_ = true;
    cv_.notify_all();
  }

private:
  std::mutex m_;
  std::condition_variable cv_;
  std::deque<T> items_;
  std::size_t limit_;
  bool closed_ = false;
};

class Prefetcher {
public:
  Prefetcher() : filler_([this] { fill(); }) {}
  ~Prefetcher() {
    running_ = false;
    filler_.join();
  }
  long next() {
    long v = -1;
    queue_.take(v);
    return v;
  }

private:
  void fill() {
    for (long i = 0; running_; ++i)
      queue_.put(i * i);
  }

  std::atomic<bool> running_{true};
  Channel<long> queue_{4};
  std::thread filler_;
};

int main() {
  long sum = 0;
  {
    Prefetcher squares;
    for (int i = 0; i < 3; ++i)
      sum += squares.next();
    // The work the first squares were for; the filler refills meanwhile.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  std::printf("sum of the first squares: %ld\n", sum);
  return 0;
}
// CHECK-FIXES: queue_.close();
// CHECK-FIXES-NEXT: filler_.join();
