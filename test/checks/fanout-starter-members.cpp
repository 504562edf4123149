// RUN: %check_clang_tidy %s fanout-stranded-producer,fanout-stranded-consumer,fanout-join-before-drain %t -- -- -std=c++20 -isystem %S/Inputs

// A member that starts a thread its object keeps and returns without
// waiting for it (`feed.open(ring)`, `tail.follow()`) starts that thread in
// its caller: the caller is the thread's other side, and the object's
// destructor, or the member that joins, is the wait. The queue is what the
// object was given: a constructor argument it keeps a reference to, or an
// argument the starting member stores.
#include "queues.h"
#include <memory>
#include <thread>

bool readRecord(int i);
bool accept(int v);

// The body is a member function; the queue is what open() stored.
class Feed {
public:
  ~Feed() {
    if (worker_.joinable())
      worker_.join();
  }
  void open(Ring<int, 4> &out) {
    out_ = &out;
    worker_ = std::thread(&Feed::pump, this);
  }

private:
  void pump() {
    for (int i = 0;; ++i) {
// CHECK-FIXES: {{^}}    struct CloseOnExit { decltype(out_) queue; ~CloseOnExit() { queue->shutdown(); } } closeOnExit{out_};{{$}}
// CHECK-FIXES-NEXT: {{^}}    for (int i = 0;; ++i) {{[{]$}}
      if (!readRecord(i))
        return;
      out_->send(i);
    }
  }
  Ring<int, 4> *out_ = nullptr;
  std::thread worker_;
};

int totalOfFeed() {
  Ring<int, 4> ring;
  Feed feed;
  feed.open(ring);
  int total = 0;
  while (auto v = ring.receive())
    total += *v;
  return total;
}
// CHECK-NOTES: :[[@LINE-4]]:24: warning: consumers can block forever in 'receive' on queue 'ring' (Ring<int, 4>): the producer can finish without closing it (it never closes it) [fanout-stranded-consumer]
// CHECK-NOTES: :[[@LINE-9]]:16: note: queue 'ring' declared here
// CHECK-NOTES: :[[@LINE-19]]:9: note: producer returns here without closing 'ring'
// CHECK-NOTES: :[[@LINE-9]]:3: note: producer thread spawned here
// CHECK-NOTES: :[[@LINE-20]]:13: note: fix: close 'ring' on every way out of the producer with a guard declared first in its body

// The same feed, shut on every way out of its thread: nothing to report.
class ClosingFeed {
public:
  ~ClosingFeed() { worker_.join(); }
  void open(Ring<int, 4> &out) {
    out_ = &out;
    worker_ = std::thread([this] {
      struct Shut {
        Ring<int, 4> *r;
        ~Shut() { r->shutdown(); }
      } shut{out_};
      for (int i = 0; readRecord(i); ++i)
        out_->send(i);
    });
  }

private:
  Ring<int, 4> *out_ = nullptr;
  std::thread worker_;
};

int totalOfClosingFeed() {
  Ring<int, 4> ring;
  ClosingFeed feed;
  feed.open(ring);
  int total = 0;
  while (auto v = ring.receive())
    total += *v;
  return total;
}

// The queue is a constructor argument kept by reference, the body a lambda;
// the caller consumes and gives up early, and the destructor's join hangs.
class Tail {
public:
  explicit Tail(Mailbox<int> &lines) : lines_(lines) {}
  ~Tail() { halt(); }
  void follow() {
    thread_ = std::make_unique<std::thread>([this] {
      for (int i = 0; i < 100; ++i)
        lines_.put(i);
      lines_.stop();
    });
  }
  void halt() {
    if (thread_)
      thread_->join();
  }

private:
  Mailbox<int> &lines_;
  std::unique_ptr<std::thread> thread_;
};

int firstRejected() {
  Mailbox<int> lines(2);
  Tail tail(lines);
  tail.follow();
  int v = 0;
  while (lines.take(v))
    if (!accept(v))
      return v;
  // CHECK-FIXES: {{^}}    if (!accept(v)) {{[{]$}}
  // CHECK-FIXES-NEXT: {{^}}      lines.stop();{{$}}
  return -1;
}
// CHECK-NOTES: :[[@LINE-26]]:16: warning: producer can block forever in 'put' on bounded queue 'lines' (Mailbox<int>, capacity 2): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
// CHECK-NOTES: :[[@LINE-12]]:16: note: queue 'lines' declared here
// CHECK-NOTES: :[[@LINE-7]]:7: note: consumer returns here without closing 'lines'
// CHECK-NOTES: :[[@LINE-12]]:3: note: producer thread spawned here
// CHECK-NOTES: :[[@LINE-5]]:1: note: the producer is waited for here, at the end of its handle's scope; this never returns once it is stuck
// CHECK-NOTES: :[[@LINE-11]]:20: note: fix: close 'lines' on each consumer exit, so that a producer blocked in 'put' wakes up
// CHECK-NOTES: :[[@LINE-17]]:22: note: alternatively, give 'lines' room for all 100 items

// The same tail, whose reader stops the mailbox before it leaves.
int firstRejectedStopping() {
  Mailbox<int> lines(2);
  Tail tail(lines);
  tail.follow();
  int v = 0;
  while (lines.take(v))
    if (!accept(v)) {
      lines.stop();
      return v;
    }
  return -1;
}

// A member that joins what it started is no starter: its caller starts no
// thread, and the member's own fan-out is complete.
class Batch {
public:
  void run(Ring<int, 4> &out) {
    std::thread t([&out] {
      for (int i = 0; i < 8; ++i)
        out.send(i);
      out.shutdown();
    });
    while (auto v = out.receive())
      sum_ += *v;
    t.join();
  }
  int sum_ = 0;
};

int batchTotal() {
  Ring<int, 4> ring;
  Batch batch;
  batch.run(ring);
  return batch.sum_;
}
