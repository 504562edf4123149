// RUN: %check_clang_tidy %s fanout-stranded-producer %t -- -- -std=c++20 -isystem %S/Inputs

// Queues that wrap another queue, or wait through a wrapper of a condition
// variable: recognised from their code, with no configuration.

#include "queues.h"

#include <pthread.h>
#include <thread>
#include <vector>

bool process(int item);

namespace detail {
// The inner queue: a predicate wait, push returns false once closed.
template <typename T> class Queue {
public:
  explicit Queue(std::size_t limit) : limit_(limit) {}
  bool push(T v) {
    std::unique_lock<std::mutex> lk(m_);
    room_.wait(lk, [&] { return shut_ || items_.size() < limit_; });
    if (shut_)
      return false;
    items_.push_back(std::move(v));
    data_.notify_one();
    return true;
  }
  bool pop(T &out) {
    std::unique_lock<std::mutex> lk(m_);
    data_.wait(lk, [&] { return shut_ || !items_.empty(); });
    if (items_.empty())
      return false;
    out = std::move(items_.front());
    items_.pop_front();
    room_.notify_one();
    return true;
  }
  void shutdown() {
    std::lock_guard<std::mutex> lk(m_);
    shut_ = true;
    room_.notify_all();
    data_.notify_all();
  }

private:
  std::mutex m_;
  std::condition_variable room_, data_;
  std::deque<T> items_;
  std::size_t limit_;
  bool shut_ = false;
};
} // namespace detail

// A channel that forwards to the inner queue; send returns its result.
template <typename T> class Channel {
public:
  explicit Channel(std::size_t capacity) : inner_(capacity) {}
  bool send(T v) { return inner_.push(std::move(v)); }
  bool recv(T &out) { return inner_.pop(out); }
  void close() { inner_.shutdown(); }

private:
  detail::Queue<T> inner_;
};

void channelConsumerReturns(int n) {
  Channel<int> ch(4);
  std::thread consumer([&] {
    int v;
    while (ch.recv(v))
      if (!process(v))
        return;
  });
  for (int i = 0; i < n; ++i)
    ch.send(i);
  ch.close();
  consumer.join();
}
// CHECK-NOTES: :[[@LINE-4]]:8: warning: producer can block forever in 'send' on bounded queue 'ch' (Channel<int>, capacity 4): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
// CHECK-NOTES: :[[@LINE-13]]:16: note: queue 'ch' declared here
// CHECK-NOTES: :[[@LINE-9]]:9: note: consumer returns here without closing 'ch'
// CHECK-NOTES: :[[@LINE-14]]:15: note: consumer thread spawned here
// CHECK-NOTES: :[[@LINE-12]]:23: note: fix: close 'ch' on each consumer exit, so that a producer blocked in 'send' wakes up

// A non-template wrapper whose send drops the inner result.
class IntPipe {
public:
  IntPipe(const char *name, int depth) : name_(name), q_(depth) {}
  void write(int v) { q_.push(v); }
  bool read(int &v) { return q_.pop(v); }
  void hangup() { q_.close(); }

private:
  const char *name_;
  BoundedQueue<int> q_;
};

void pipeBreaks(int n) {
  IntPipe pipe("jobs", 2);
  std::vector<std::thread> workers;
  for (int w = 0; w < 2; ++w)
    workers.emplace_back([&pipe] {
      int v;
      while (pipe.read(v)) {
        if (!process(v))
          break;
      }
    });
  for (int i = 0; i < n; ++i)
    pipe.write(i);
  pipe.hangup();
  for (auto &t : workers)
    t.join();
}
// CHECK-NOTES: :[[@LINE-5]]:10: warning: producer can block forever in 'write' on bounded queue 'pipe' (IntPipe, capacity 2): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
// CHECK-NOTES: :[[@LINE-17]]:11: note: queue 'pipe' declared here
// CHECK-NOTES: :[[@LINE-11]]:11: note: consumer breaks out of its pop loop here without closing 'pipe'
// CHECK-NOTES: :[[@LINE-16]]:5: note: consumer threads spawned here in a loop
// CHECK-NOTES: :[[@LINE-14]]:25: note: fix: close 'pipe' on each consumer exit, so that a producer blocked in 'write' wakes up

// muduo's style: a bounded queue on a circular buffer that waits through a
// Condition class wrapping pthread_cond_wait. It has no close.
class Mutex {
public:
  Mutex() { pthread_mutex_init(&m_, nullptr); }
  void lock() { pthread_mutex_lock(&m_); }
  void unlock() { pthread_mutex_unlock(&m_); }
  pthread_mutex_t *raw() { return &m_; }

private:
  pthread_mutex_t m_;
};

class Guard {
public:
  explicit Guard(Mutex &m) : m_(m) { m_.lock(); }
  ~Guard() { m_.unlock(); }

private:
  Mutex &m_;
};

class Cond {
public:
  explicit Cond(Mutex &m) : m_(m) { pthread_cond_init(&c_, nullptr); }
  void wait() { pthread_cond_wait(&c_, m_.raw()); }
  void signal() { pthread_cond_signal(&c_); }
  void broadcast() { pthread_cond_broadcast(&c_); }

private:
  Mutex &m_;
  pthread_cond_t c_;
};

template <typename T> class CircularBuffer {
public:
  explicit CircularBuffer(std::size_t cap) : slots_(cap), cap_(cap) {}
  bool full() const { return n_ == cap_; }
  bool empty() const { return n_ == 0; }
  void push_back(T v) {
    slots_[(head_ + n_) % cap_] = std::move(v);
    ++n_;
  }
  T &front() { return slots_[head_]; }
  void pop_front() {
    head_ = (head_ + 1) % cap_;
    --n_;
  }

private:
  std::vector<T> slots_;
  std::size_t cap_, head_ = 0, n_ = 0;
};

template <typename T> class BlockingRing {
public:
  explicit BlockingRing(int maxSize)
      : notEmpty_(mutex_), notFull_(mutex_), buffer_(maxSize) {}
  void put(const T &x) {
    Guard lock(mutex_);
    while (buffer_.full()) {
      notFull_.wait();
    }
    buffer_.push_back(x);
    notEmpty_.signal();
  }
  T take() {
    Guard lock(mutex_);
    while (buffer_.empty()) {
      notEmpty_.wait();
    }
    T front(std::move(buffer_.front()));
    buffer_.pop_front();
    notFull_.signal();
    return front;
  }

private:
  Mutex mutex_;
  Cond notEmpty_;
  Cond notFull_;
  CircularBuffer<T> buffer_;
};

void ringConsumerReturns(int n) {
  BlockingRing<int> q(16);
  std::thread consumer([&] {
    for (;;) {
      int v = q.take();
      if (v < 0)
        break;
      if (!process(v))
        return;
    }
  });
  for (int i = 0; i < n; ++i)
    q.put(i);
  q.put(-1);
  consumer.join();
}
// CHECK-NOTES: :[[@LINE-4]]:7: warning: producer can block forever in 'put' on bounded queue 'q' (BlockingRing<int>, capacity 16): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
// CHECK-NOTES: :[[@LINE-16]]:21: note: queue 'q' declared here
// CHECK-NOTES: :[[@LINE-10]]:9: note: consumer returns here without closing 'q'
// CHECK-NOTES: :[[@LINE-17]]:15: note: consumer thread spawned here
// CHECK-NOTES: :[[@LINE-8]]:7: note: no automatic fix: 'q' cannot be closed; use a timed or non-blocking push in a loop that also stops when a flag set on every consumer exit is raised

// Negatives.

// The consumer closes the channel on its early exit.
void channelClosedOnExit(int n) {
  Channel<int> ch(4);
  std::thread consumer([&] {
    int v;
    while (ch.recv(v))
      if (!process(v)) {
        ch.close();
        return;
      }
  });
  for (int i = 0; i < n; ++i)
    if (!ch.send(i))
      break;
  ch.close();
  consumer.join();
}

// A wrapper over an unbounded queue: its send never blocks.
template <typename T> class Mailbox2 {
public:
  void send(T v) { inner_.push(std::move(v)); }
  bool recv(T &out) { return inner_.pop(out); }
  void close() { inner_.close(); }

private:
  UnboundedQueue<T> inner_;
};

void unboundedWrapper(int n) {
  Mailbox2<int> box;
  std::thread consumer([&] {
    int v;
    while (box.recv(v))
      if (!process(v))
        return;
  });
  for (int i = 0; i < n; ++i)
    box.send(i);
  box.close();
  consumer.join();
}

// A wrapper whose send is the inner non-blocking push.
template <typename T> class Lossy {
public:
  explicit Lossy(std::size_t n) : q_(n) {}
  bool offer(T v) { return q_.try_push(std::move(v)); }
  bool recv(T &out) { return q_.pop(out); }

private:
  BoundedQueue<T> q_;
};

void lossyWrapper(int n) {
  Lossy<int> q(4);
  std::thread consumer([&] {
    int v;
    while (q.recv(v))
      if (!process(v))
        return;
  });
  for (int i = 0; i < n; ++i)
    q.offer(i);
  consumer.join();
}

// The muduo-style queue, drained by a consumer that only stops on the
// producer's sentinel.
void ringDrained(int n) {
  BlockingRing<int> q(16);
  std::thread consumer([&] {
    for (;;) {
      int v = q.take();
      if (v < 0)
        break;
      process(v);
    }
  });
  for (int i = 0; i < n; ++i)
    q.put(i);
  q.put(-1);
  consumer.join();
}

// A class that holds a queue and works on it in a loop is no wrapper: its
// run() is a consumer, not a pop.
class Stage {
public:
  explicit Stage(std::size_t n) : q_(n) {}
  void run() {
    int v;
    while (q_.pop(v))
      process(v);
  }
  void feed(int n) {
    for (int i = 0; i < n; ++i)
      q_.push(i);
    q_.close();
  }

private:
  BoundedQueue<int> q_;
};

void stage(int n) {
  Stage s(4);
  std::thread worker([&] { s.run(); });
  s.feed(n);
  worker.join();
}

// The fixes, in file order.
// CHECK-FIXES: {{^}}        ch.close();{{$}}
// CHECK-FIXES-NEXT: {{^}}        return;{{$}}
// CHECK-FIXES-NEXT: {{^}}      }{{$}}
// CHECK-FIXES: {{^}}    if (!ch.send(i)) break;{{$}}
// CHECK-FIXES: {{^}}          pipe.hangup();{{$}}
// CHECK-FIXES-NEXT: {{^}}          break;{{$}}
// CHECK-FIXES-NEXT: {{^}}        }{{$}}
// CHECK-FIXES: {{^}}    pipe.write(i);{{$}}
