// RUN: %run_fix_test %s %t
//
// A ring without a close, with a push that waits and one that gives up;
// the checker is a function object whose operator() stops at the first bad
// record. Once it has stopped, the loader blocks forever in put(). The ring
// cannot be closed, and the loader cannot name the checker's exits: the fix
// starts the thread on a lambda that runs the checker and counts it out
// however it leaves, and retries the loader's try_put until there is room
// or the checker has left.
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

class Ring {
public:
  explicit Ring(std::size_t slots) : slots_(slots) {}
  void put(int record) {
    std::unique_lock<std::mutex> lk(m_);
    room_.wait(lk, [&] { return q_.size() < slots_; });
    q_.push_back(record);
    data_.notify_one();
  }
  bool try_put(int record) {
    std::lock_guard<std::mutex> lk(m_);
    if (q_.size() >= slots_)
      return false;
    q_.push_back(record);
    data_.notify_one();
    return true;
  }
  int take() {
    std::unique_lock<std::mutex> lk(m_);
    data_.wait(lk, [&] { return !q_.empty(); });
    int record = q_.front();
    q_.pop_front();
    room_.notify_one();
    return record;
  }

private:
  std::mutex m_;
  std::condition_variable room_, data_;
  std::deque<int> q_;
  std::size_t slots_;
};

static bool valid(int record) { return record < 500; }

struct Checker {
  Ring &ring;
  long &checked;
  void operator()() {
    for (;;) {
      int record = ring.take();
      if (record < 0)
        return; // end of input
      if (!valid(record))
        return; // gives up; the loader is not told
      ++checked;
    }
  }
};

static long load(int records) {
  Ring ring(8);
  long checked = 0;
  std::thread checker{Checker{ring, checked}};
  for (int r = 0; r < records; ++r)
    ring.put(r);
  ring.put(-1);
  checker.join();
  return checked;
}

int main() {
  std::printf("checked %ld\n", load(100));
  std::printf("checked %ld\n", load(5000));
  return 0;
}
// CHECK-FIXES: {{^}}  std::atomic<int> ringReaders{1};{{$}}
// CHECK-FIXES: {{^}}  std::thread checker{[&, body = Checker{ring, checked}]() mutable { struct LeaveCount { std::atomic<int> &left; ~LeaveCount() { --left; } } leaveCount{ringReaders}; body(); }};{{$}}
// CHECK-FIXES: {{^}}    while (!ring.try_put(r) && ringReaders > 0){{$}}
