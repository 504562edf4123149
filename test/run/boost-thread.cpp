// REQUIRES: boost
// RUN: %run_fix_test %s %t -- -- -lboost_thread
//
// boost::thread consumers in a boost::thread_group: each fails its first
// item and leaves, and the producer sleeps in push() on the full queue
// until the fix closes it on those exits.
#include <boost/thread/thread.hpp>
#include <condition_variable>
#include <deque>
#include <mutex>

template <typename T> class Channel {
public:
  explicit Channel(std::size_t capacity) : capacity_(capacity) {}
  bool send(T v) {
    std::unique_lock<std::mutex> lk(m_);
    not_full_.wait(lk, [&] { return closed_ || items_.size() < capacity_; });
    if (closed_)
      return false;
    items_.push_back(v);
    not_empty_.notify_one();
    return true;
  }
  bool receive(T &out) {
    std::unique_lock<std::mutex> lk(m_);
    not_empty_.wait(lk, [&] { return closed_ || !items_.empty(); });
    if (items_.empty())
      return false;
    out = items_.front();
    items_.pop_front();
    not_full_.notify_one();
    return true;
  }
  void close() {
    std::lock_guard<std::mutex> lk(m_);
    closed_ = true;
    not_full_.notify_all();
    not_empty_.notify_all();
  }

private:
  std::mutex m_;
  std::condition_variable not_full_, not_empty_;
  std::deque<T> items_;
  std::size_t capacity_;
  bool closed_ = false;
};

static bool process(int item) { return item < 0; } // Every item fails.

int main() {
  Channel<int> ch(2);
  boost::thread_group workers;
  for (int w = 0; w < 3; ++w)
    workers.create_thread([&] {
      int v;
      while (ch.receive(v))
        if (!process(v))
          return;
    });
  for (int i = 0; i < 100; ++i)
    ch.send(i);
  ch.close();
  workers.join_all();
  return 0;
}
