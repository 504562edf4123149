// RUN: %run_fix_test %s %t
//
// A channel whose close() asserts it runs once (as real code asserts
// `!done_` in its finish()), and a producer that closes at its normal end
// but returns early at a bad record without closing: the reader waits in
// receive() for ever. A guard that closed on every way out would close a
// second time on the normal path and abort a batch that ran correctly
// before; the fix's guard closes only where the producer did not. The
// program reads a clean batch (the normal path, closed once) and then a
// batch with a bad record (the early return, closed by the guard); it is
// built with assertions on.
#include <cassert>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <thread>

class Channel {
public:
  void send(int v) {
    std::lock_guard<std::mutex> g(m_);
    assert(!closed_);
    items_.push_back(v);
    cv_.notify_one();
  }
  bool receive(int &v) {
    std::unique_lock<std::mutex> g(m_);
    cv_.wait(g, [this] { return closed_ || !items_.empty(); });
    if (items_.empty())
      return false;
    v = items_.front();
    items_.pop_front();
    return true;
  }
  void close() {
    std::lock_guard<std::mutex> g(m_);
    assert(!closed_ && "closed twice");
    closed_ = true;
    cv_.notify_all();
  }

private:
  std::mutex m_;
  std::condition_variable cv_;
  std::deque<int> items_;
  bool closed_ = false;
};

bool readRecord(int i, int bad) { return i != bad; }

int sumBatch(int bad) {
  Channel ch;
  std::thread producer([&] {
    for (int i = 0; i < 10; ++i) {
      if (!readRecord(i, bad))
        return;
      ch.send(i);
    }
    ch.close();
  });
  int total = 0, v = 0;
  while (ch.receive(v))
    total += v;
  producer.join();
  return total;
}
// CHECK-FIXES: {{^}}    struct CloseOnExit { decltype(ch) &queue; bool closed = false; ~CloseOnExit() { if (!closed) queue.close(); } } closeOnExit{ch};{{$}}
// CHECK-FIXES: {{^}}    closeOnExit.closed = true;{{$}}
// CHECK-FIXES-NEXT: {{^}}    ch.close();{{$}}

int main() {
  std::printf("clean batch: %d\n", sumBatch(-1));
  std::printf("batch with a bad record: %d\n", sumBatch(3));
  return 0;
}
