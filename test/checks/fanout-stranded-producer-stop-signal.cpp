// RUN: %check_clang_tidy %s fanout-stranded-producer %t -- -- -std=c++20 -isystem %S/Inputs

// The stop-signal fix for queues that cannot be closed, beyond the library
// rows: a hand-written ring whose own non-blocking push is used, captures
// that must be extended, a queue passed in, names already taken, a jthread
// producer; and the cases where no fix-it is certainly right.
#include <array>
#include <atomic>
#include <mutex>
#include <semaphore>
#include <thread>
#include <vector>

// A ring guarded by counting semaphores, with no close: put() sleeps on a
// free slot, try_put() gives up at once.
template <typename T, std::ptrdiff_t N> class SlotRing {
public:
  void put(T v) {
    free_.acquire();
    {
      std::lock_guard<std::mutex> lk(m_);
      buf_[tail_] = std::move(v);
      tail_ = (tail_ + 1) % N;
    }
    used_.release();
  }
  bool try_put(T v) {
    if (!free_.try_acquire())
      return false;
    {
      std::lock_guard<std::mutex> lk(m_);
      buf_[tail_] = std::move(v);
      tail_ = (tail_ + 1) % N;
    }
    used_.release();
    return true;
  }
  T take() {
    used_.acquire();
    std::lock_guard<std::mutex> lk(m_);
    T v = std::move(buf_[head_]);
    head_ = (head_ + 1) % N;
    free_.release();
    return v;
  }

private:
  std::counting_semaphore<N> free_{N}, used_{0};
  std::mutex m_;
  std::array<T, N> buf_{};
  std::ptrdiff_t head_ = 0, tail_ = 0;
};

bool process(int item);

// The ring's own try_put, retried with a sleep; explicit captures get the
// flag added.
void explicitCaptures(int n) {
  SlotRing<int, 8> ring;
  std::thread consumer([&ring] {
    while (true)
      if (!process(ring.take()))
        return;
  });
  std::thread producer([&ring, n] {
    for (int i = 0; i < n; ++i)
      ring.put(i);
  });
  consumer.join();
  producer.join();
}
// CHECK-MESSAGES: :[[@LINE-5]]:12: warning: producer can block forever in 'put' on bounded queue 'ring' (SlotRing<int, 8>): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
// CHECK-FIXES: {{^}}  SlotRing<int, 8> ring;{{$}}
// CHECK-FIXES-NEXT: {{^}}  std::atomic<bool> ringClosed{false};{{$}}
// CHECK-FIXES-NEXT: {{^}}  std::thread consumer([&ring, &ringClosed] {{[{]}}{{$}}
// CHECK-FIXES-NEXT: {{^}}    while (true){{$}}
// CHECK-FIXES-NEXT: {{^}}      if (!process(ring.take())) {{[{]}}{{$}}
// CHECK-FIXES-NEXT: {{^}}        ringClosed = true;{{$}}
// CHECK-FIXES-NEXT: {{^}}        return;{{$}}
// CHECK-FIXES-NEXT: {{^}}      }{{$}}
// CHECK-FIXES: {{^}}  std::thread producer([&ring, n, &ringClosed] {{[{]}}{{$}}
// CHECK-FIXES-NEXT: {{^}}    for (int i = 0; i < n; ++i) {{[{]}}{{$}}
// CHECK-FIXES-NEXT: {{^}}      while (!ring.try_put(i) && !ringClosed){{$}}
// CHECK-FIXES-NEXT: {{^}}        std::this_thread::sleep_for(std::chrono::milliseconds(1));{{$}}
// CHECK-FIXES-NEXT: {{^}}      if (ringClosed){{$}}
// CHECK-FIXES-NEXT: {{^}}        break;{{$}}
// CHECK-FIXES-NEXT: {{^}}    }{{$}}

// The queue is a parameter: the flag is declared first in the function.
// A name already in use gets a number.
void queueParameter(SlotRing<int, 8> &ring, int n) {
  std::thread consumer([&] {
    for (;;)
      if (!process(ring.take()))
        break;
  });
  for (int i = 0; i < n; ++i) {
    ring.put(i);
  }
  consumer.join();
  const char *ringClosed = "taken";
  (void)ringClosed;
}
// CHECK-MESSAGES: :[[@LINE-6]]:10: warning: producer can block forever in 'put' on bounded queue 'ring' {{.*}}
// CHECK-FIXES: {{^}}void queueParameter(SlotRing<int, 8> &ring, int n) {{[{]}}{{$}}
// CHECK-FIXES-NEXT: {{^}}  std::atomic<bool> ringClosed2{false};{{$}}
// CHECK-FIXES-NEXT: {{^}}  std::thread consumer([&] {{[{]}}{{$}}
// CHECK-FIXES: {{^}}        ringClosed2 = true;{{$}}
// CHECK-FIXES-NEXT: {{^}}        break;{{$}}
// CHECK-FIXES: {{^}}    while (!ring.try_put(i) && !ringClosed2){{$}}

// A push in an inner loop of a thread: the thread returns once the signal
// is raised, as breaking would only leave the inner loop.
void nestedLoops(int batches) {
  SlotRing<int, 8> ring;
  std::thread consumer([&] {
    for (;;) {
      int v = ring.take();
      if (v < 0 || !process(v))
        return;
    }
  });
  std::thread producer([&] {
    for (int b = 0; b < batches; ++b)
      for (int i = 0; i < 10; ++i)
        ring.put(b * 10 + i);
  });
  consumer.join();
  producer.join();
}
// CHECK-MESSAGES: :[[@LINE-5]]:14: warning: producer can block forever in 'put' {{.*}}
// CHECK-FIXES: {{^}}      for (int i = 0; i < 10; ++i) {{[{]}}{{$}}
// CHECK-FIXES-NEXT: {{^}}        while (!ring.try_put(b * 10 + i) && !ringClosed){{$}}
// CHECK-FIXES-NEXT: {{^}}          std::this_thread::sleep_for(std::chrono::milliseconds(1));{{$}}
// CHECK-FIXES-NEXT: {{^}}        if (ringClosed){{$}}
// CHECK-FIXES-NEXT: {{^}}          return;{{$}}
// CHECK-FIXES-NEXT: {{^}}      }{{$}}

// A jthread producer that already takes its stop token: the consumer asks
// that thread to stop, and the push watches the token it has.
void jthreadWithToken(int n) {
  SlotRing<int, 8> ring;
  std::jthread producer([&](std::stop_token stop) {
    for (int i = 0; i < n && !stop.stop_requested(); ++i)
      ring.put(i);
  });
  std::jthread consumer([&ring, &producer] {
    while (process(ring.take())) {
    }
  });
}
// CHECK-MESSAGES: :[[@LINE-7]]:12: warning: producer can block forever in 'put' {{.*}}
// CHECK-FIXES: {{^}}    for (int i = 0; i < n && !stop.stop_requested(); ++i) {{[{]}}{{$}}
// CHECK-FIXES-NEXT: {{^}}      while (!ring.try_put(i) && !stop.stop_requested()){{$}}
// CHECK-FIXES: {{^}}      if (stop.stop_requested()){{$}}
// CHECK-FIXES: {{^}}    while (process(ring.take())) {{[{]}}{{$}}
// CHECK-FIXES-NEXT: {{^}}    }{{$}}
// CHECK-FIXES-NEXT: {{^}}    producer.request_stop();{{$}}

// No fix-it: the pushed value has a side effect and cannot be retried.
int next();
void sideEffects(int n) {
  SlotRing<int, 8> ring;
  std::thread consumer([&] {
    while (process(ring.take())) {
    }
  });
  for (int i = 0; i < n; ++i)
    ring.put(next());
  consumer.join();
}
// CHECK-MESSAGES: :[[@LINE-3]]:10: warning: producer can block forever in 'put' {{.*}}
// CHECK-MESSAGES: :[[@LINE-4]]:10: note: no automatic fix: 'ring' cannot be closed; use a timed or non-blocking push in a loop that also stops when a flag set on every consumer exit is raised
// CHECK-FIXES: {{^}}    ring.put(next());{{$}}

// No fix-it: the consumer runs a function, not a lambda the flag can reach.
void drain(SlotRing<int, 8> *ring) {
  while (process(ring->take())) {
  }
}
void functionBody(int n) {
  SlotRing<int, 8> ring;
  std::thread consumer(drain, &ring);
  for (int i = 0; i < n; ++i)
    ring.put(i);
  consumer.join();
}
// CHECK-MESSAGES: :[[@LINE-3]]:10: warning: producer can block forever in 'put' {{.*}}
// CHECK-MESSAGES: :[[@LINE-4]]:10: note: no automatic fix: {{.*}}
// CHECK-FIXES: {{^}}    ring.put(i);{{$}}

// A std::stop_source the threads already share is the signal.
void sharedStopSource(int n) {
  std::stop_source cancel;
  SlotRing<int, 8> ring;
  std::thread consumer([&] {
    for (;;)
      if (!process(ring.take()))
        return;
  });
  std::thread producer([&ring, &cancel, n] {
    for (int i = 0; i < n && !cancel.stop_requested(); ++i)
      ring.put(i);
  });
  consumer.join();
  producer.join();
}
// CHECK-MESSAGES: :[[@LINE-5]]:12: warning: producer can block forever in 'put' {{.*}}
// CHECK-MESSAGES: :[[@LINE-11]]:33: note: fix: 'ring' cannot be closed reliably; request stop through 'cancel' on each consumer exit, and push with 'try_put' until there is room or stop is requested
// CHECK-FIXES: {{^}}  SlotRing<int, 8> ring;{{$}}
// CHECK-FIXES-NEXT: {{^}}  std::thread consumer([&] {{[{]}}{{$}}
// CHECK-FIXES: {{^}}        cancel.request_stop();{{$}}
// CHECK-FIXES: {{^}}      while (!ring.try_put(i) && !cancel.stop_requested()){{$}}

// Function objects as consumers: the spawning function cannot name their
// exits, so each thread is started on a lambda that runs the object and
// counts it out however it leaves.
struct SlotChecker {
  SlotRing<int, 8> &ring;
  void operator()() {
    for (;;)
      if (!process(ring.take()))
        return;
  }
};

void functorConsumers(int n) {
  SlotRing<int, 8> ring;
  std::vector<std::thread> checkers;
  for (int i = 0; i < 3; ++i)
    checkers.emplace_back(SlotChecker{ring});
  for (int i = 0; i < n; ++i)
    ring.put(i);
  for (std::thread &t : checkers)
    t.join();
}
// CHECK-MESSAGES: :[[@LINE-4]]:10: warning: producer can block forever in 'put' on bounded queue 'ring' (SlotRing<int, 8>): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
// CHECK-MESSAGES: :[[@LINE-10]]:25: note: fix: 'ring' cannot be closed reliably; count the consumers (3) down in 'ringReaders' as each leaves, and push with 'try_put' until there is room or every consumer has left
// CHECK-FIXES: {{^}}  std::atomic<int> ringReaders{3};{{$}}
// CHECK-FIXES: {{^}}    checkers.emplace_back([&, body = SlotChecker{ring}]() mutable { struct LeaveCount { std::atomic<int> &left; ~LeaveCount() { --left; } } leaveCount{ringReaders}; body(); });{{$}}
// CHECK-FIXES: {{^}}    while (!ring.try_put(i) && ringReaders > 0){{$}}

// A named function object: the lambda holds its own copy, as the thread
// would.
void namedFunctorConsumer(int n) {
  SlotRing<int, 8> ring;
  SlotChecker check{ring};
  std::thread checker(check);
  for (int i = 0; i < n; ++i)
    ring.put(i);
  checker.join();
}
// CHECK-MESSAGES: :[[@LINE-3]]:10: warning: producer can block forever in 'put' {{.*}}
// CHECK-FIXES: {{^}}  std::thread checker([&, body = check]() mutable { struct LeaveCount { std::atomic<int> &left; ~LeaveCount() { --left; } } leaveCount{ringReaders}; body(); });{{$}}

// Declined: the object's operator() takes the spawn's next argument.
struct LimitedChecker {
  SlotRing<int, 8> &ring;
  void operator()(int limit) {
    for (int seen = 0;; ++seen)
      if (seen == limit || !process(ring.take()))
        return;
  }
};

void functorWithArgument(int n) {
  SlotRing<int, 8> ring;
  std::thread checker(LimitedChecker{ring}, 100);
  for (int i = 0; i < n; ++i)
    ring.put(i);
  checker.join();
}
// CHECK-MESSAGES: :[[@LINE-3]]:10: warning: producer can block forever in 'put' {{.*}}
// CHECK-MESSAGES: :[[@LINE-4]]:10: note: no automatic fix: {{.*}}

// The number of consumers is a member that only the constructor sets: it
// reads the same where the count is declared and where the loop spawns.
class Loader {
public:
  explicit Loader(int checkers) : checkers_(checkers) {}
  void load(int n) {
    SlotRing<int, 8> ring;
    std::vector<std::thread> pool;
    for (int i = 0; i < checkers_; ++i)
      pool.emplace_back([&] {
        for (;;)
          if (!process(ring.take()))
            return;
      });
    for (int i = 0; i < n; ++i)
      ring.put(i);
    for (std::thread &t : pool)
      t.join();
  }

private:
  int checkers_;
};
// CHECK-MESSAGES: :[[@LINE-8]]:12: warning: producer can block forever in 'put' {{.*}}
// CHECK-MESSAGES: :[[@LINE-18]]:27: note: fix: 'ring' cannot be closed reliably; count the consumers (checkers_) down in 'ringReaders' as each leaves, and push with 'try_put' until there is room or every consumer has left
// CHECK-FIXES: {{^}}    std::atomic<int> ringReaders{checkers_};{{$}}

// Declined: a member function other than a constructor changes the count.
class ResizableLoader {
public:
  void resize(int checkers) { checkers_ = checkers; }
  void load(int n) {
    SlotRing<int, 8> ring;
    std::vector<std::thread> pool;
    for (int i = 0; i < checkers_; ++i)
      pool.emplace_back([&] {
        for (;;)
          if (!process(ring.take()))
            return;
      });
    for (int i = 0; i < n; ++i)
      ring.put(i);
    for (std::thread &t : pool)
      t.join();
  }

private:
  int checkers_ = 2;
};
// CHECK-MESSAGES: :[[@LINE-8]]:12: warning: producer can block forever in 'put' {{.*}}
// CHECK-MESSAGES: :[[@LINE-9]]:12: note: no automatic fix: {{.*}}
