// RUN: %check_clang_tidy %s fanout-stranded-producer,fanout-stranded-consumer,fanout-join-before-drain %t -- -- -std=c++20 -isystem %S/Inputs

// Concepts that real code spells in many ways: a push that a stop request
// wakes, a thread base class whose start() runs a virtual run(), results
// counted by the range the workers are spawned over.
#include "queues.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

bool process(int item);

// The push also waits on a stop token (condition_variable_any's stoppable
// wait, the predicate last), and reports the stop as false.
template <typename T> class StopQueue {
public:
  explicit StopQueue(std::size_t cap) : cap_(cap) {}
  bool push(T v, std::stop_token st) {
    std::unique_lock<std::mutex> lk(m_);
    if (!cv_.wait(lk, st, [&] { return q_.size() < cap_; }))
      return false;
    q_.push_back(v);
    cv_.notify_all();
    return true;
  }
  bool pop(T &out) {
    std::unique_lock<std::mutex> lk(m_);
    cv_.wait(lk, [&] { return !q_.empty(); });
    out = q_.front();
    q_.pop_front();
    cv_.notify_all();
    return true;
  }

private:
  std::mutex m_;
  std::condition_variable_any cv_;
  std::deque<T> q_;
  std::size_t cap_;
};

// The consumers leave early; the producer's jthread is asked to stop once
// they are gone, before it is joined: the push returns.
void stopRequested(int n) {
  StopQueue<int> q(4);
  std::jthread producer([&](std::stop_token st) {
    for (int i = 0; i < n; ++i)
      if (!q.push(i, st))
        return;
  });
  std::thread consumer([&] {
    int v;
    while (q.pop(v))
      if (!process(v))
        return;
  });
  consumer.join();
  producer.request_stop();
  producer.join();
}

// A stop source of its own, asked to stop after the consumer is joined.
void stopSourceRequested(int n) {
  StopQueue<int> q(4);
  std::stop_source workersExited;
  std::thread producer([&] {
    for (int i = 0; i < n; ++i)
      if (!q.push(i, workersExited.get_token()))
        return;
  });
  std::thread consumer([&] {
    int v;
    while (q.pop(v))
      if (!process(v))
        return;
  });
  consumer.join();
  workersExited.request_stop();
  producer.join();
}

// Nobody requests the stop before the explicit join: the producer hangs.
// The fix requests it once the consumer is joined.
void stopNeverRequested(int n) {
  StopQueue<int> q(4);
  std::jthread producer([&](std::stop_token st) {
    for (int i = 0; i < n; ++i)
      if (!q.push(i, st))
        return;
  });
  std::thread consumer([&] {
    int v;
    while (q.pop(v))
      if (!process(v))
        return;
  });
  consumer.join();
  producer.join();
}
// CHECK-MESSAGES: :[[@LINE-12]]:14: warning: producer can block forever in 'push' on bounded queue 'q' (StopQueue<int>, capacity 4): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
// CHECK-FIXES: {{^}}void stopNeverRequested(int n) {{[{]}}{{$}}
// CHECK-FIXES: {{^}}  consumer.join();{{$}}
// CHECK-FIXES-NEXT: {{^}}  producer.request_stop();{{$}}
// CHECK-FIXES-NEXT: {{^}}  producer.join();{{$}}

// A thread base class: start() runs the virtual run(); the override in the
// derived class is the thread body.
class Thread {
public:
  virtual ~Thread() = default;
  void start() { thread_ = std::thread([this] { run(); }); }
  void join() { thread_.join(); }

protected:
  virtual void run() = 0;

private:
  std::thread thread_;
};

class Drainer : public Thread {
public:
  explicit Drainer(BoundedQueue<int> &q) : q_(q) {}

protected:
  void run() override {
    int v;
    while (q_.pop(v))
      if (!process(v))
        return;
  }

private:
  BoundedQueue<int> &q_;
};

void virtualRun(int n) {
  BoundedQueue<int> q(8);
  Drainer drainer(q);
  drainer.start();
  for (int i = 0; i < n; ++i)
    q.push(i);
  q.close();
  drainer.join();
}
// CHECK-MESSAGES: :[[@LINE-4]]:7: warning: producer can block forever in 'push' on bounded queue 'q' (BoundedQueue<int>, capacity 8): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
// CHECK-FIXES: {{^}}      if (!process(v)) {{[{]}}{{$}}
// CHECK-FIXES-NEXT: {{^}}        q_.close();{{$}}

// One result per worker, spawned over a range, into a queue sized by that
// range plus one: the wait before the drain cannot block.
void resultsSizedByTheRange(const std::vector<int> &jobs) {
  BoundedQueue<int> results(jobs.size() + 1);
  std::vector<std::thread> workers;
  for (const int &job : jobs)
    workers.emplace_back([&results, &job] {
      if (!process(job)) {
        results.push(-job);
        return;
      }
      results.push(job);
    });
  for (auto &t : workers)
    t.join();
  results.close();
  int r;
  while (results.pop(r))
    process(r);
}

// The same with room for two: the joins hang once two results wait. The
// joins move to a joiner thread (giving the queue room for every result is
// the alternative).
void resultsCountedByTheLoop(int n) {
  BoundedQueue<int> results(2);
  std::vector<std::thread> workers;
  for (int w = 0; w < n; ++w)
    workers.emplace_back([&results, w] { results.push(w); });
  for (auto &t : workers)
    t.join();
  results.close();
  int r;
  while (results.pop(r))
    process(r);
}
// CHECK-MESSAGES: :[[@LINE-6]]:5: warning: this wait can block forever: workers push into bounded queue 'results' (BoundedQueue<int>, capacity 2), which is drained only after it; once the queue is full they block in 'push' [fanout-join-before-drain]
// CHECK-FIXES: {{^}}  std::thread joiner([&] {{[{]}}{{$}}
// CHECK-FIXES: {{^}}  joiner.join();{{$}}

// Counted pops after the joins, no close to hand to a joiner: the fix gives
// the queue room for every result.
void countedDrain(int n) {
  BoundedQueue<int> results(2);
  std::vector<std::thread> workers;
  for (int w = 0; w < n; ++w)
    workers.emplace_back([&results, w] { results.push(w); });
  for (auto &t : workers)
    t.join();
  for (int i = 0; i < n; ++i) {
    int r;
    results.pop(r);
    process(r);
  }
}
// CHECK-MESSAGES: :[[@LINE-7]]:5: warning: this wait can block forever: workers push into bounded queue 'results' (BoundedQueue<int>, capacity 2), which is drained only after it; once the queue is full they block in 'push' [fanout-join-before-drain]
// CHECK-FIXES: {{^}}  BoundedQueue<int> results(n);{{$}}

// The end marker is an item whose field is empty; the producer sends it at
// its normal end and stops when its push is refused. Correct: no warning.
struct Chunk {
  long offset = 0;
  std::string bytes; // empty: end of file
};

void emptyFieldMarker(long size) {
  BoundedQueue<Chunk> chunks(4);
  std::thread reader([&] {
    for (long offset = 0; offset < size; offset += 64)
      if (!chunks.push(Chunk{offset, std::string(64, 'x')}))
        return;
    chunks.push(Chunk{size, std::string()});
  });
  Chunk chunk;
  while (chunks.pop(chunk) && !chunk.bytes.empty())
    if (!process(int(chunk.offset))) {
      chunks.close();
      break;
    }
  reader.join();
}

// A trailing comment stays with its statement when the fix wraps it in a
// block.
void trailingComment(int n) {
  BoundedQueue<int> q(4);
  std::thread c([&] {
    int v;
    while (q.pop(v))
      if (!process(v))
        return; // give up on the first failure
  });
  for (int i = 0; i < n; ++i)
    q.push(i);
  q.close();
  c.join();
}
// CHECK-MESSAGES: :[[@LINE-4]]:7: warning: producer can block forever in 'push' on bounded queue 'q' (BoundedQueue<int>, capacity 4): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
// CHECK-FIXES: {{^}}      if (!process(v)) {{[{]}}{{$}}
// CHECK-FIXES-NEXT: {{^}}        q.close();{{$}}
// CHECK-FIXES-NEXT: {{^}}        return; // give up on the first failure{{$}}
// CHECK-FIXES-NEXT: {{^}}      }{{$}}

// The queue reaches the consumer inside an aggregate built at the call.
struct DrainState {
  BoundedQueue<int> &queue;
  int retries;
};

static void drainUpTo(const DrainState &state) {
  int v;
  while (state.queue.pop(v))
    if (!process(v + state.retries))
      return;
}

void queueInsideAStruct(int n) {
  BoundedQueue<int> q(4);
  std::thread consumer([&] { drainUpTo(DrainState{q, 1}); });
  for (int i = 0; i < n; ++i)
    q.push(i);
  q.close();
  consumer.join();
}
// CHECK-MESSAGES: :[[@LINE-4]]:7: warning: producer can block forever in 'push' on bounded queue 'q' (BoundedQueue<int>, capacity 4): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]

// A functor consumer, and a producer that already reads its push's status:
// the fix closes on the functor's exit and leaves the producer as it is.
enum class SendStatus { ok, closed };

class StatusChannel {
public:
  explicit StatusChannel(std::size_t cap) : cap_(cap) {}
  SendStatus send(int v) {
    std::unique_lock<std::mutex> lk(m_);
    cv_.wait(lk, [&] { return closed_ || q_.size() < cap_; });
    if (closed_)
      return SendStatus::closed;
    q_.push_back(v);
    cv_.notify_all();
    return SendStatus::ok;
  }
  bool receive(int &out) {
    std::unique_lock<std::mutex> lk(m_);
    cv_.wait(lk, [&] { return closed_ || !q_.empty(); });
    if (q_.empty())
      return false;
    out = q_.front();
    q_.pop_front();
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
  std::deque<int> q_;
  std::size_t cap_;
  bool closed_ = false;
};

class Deleter {
public:
  explicit Deleter(StatusChannel &in) : in_(in) {}
  void operator()() {
    int item;
    while (in_.receive(item))
      if (!process(item))
        return;
  }

private:
  StatusChannel &in_;
};

void functorConsumers(int n) {
  StatusChannel ch(2);
  std::vector<std::thread> workers;
  for (int w = 0; w < 3; ++w)
    workers.emplace_back(Deleter(ch));
  for (int i = 0; i < n; ++i)
    if (ch.send(i) == SendStatus::closed)
      break;
  ch.close();
  for (auto &t : workers)
    t.join();
}
// CHECK-MESSAGES: :[[@LINE-6]]:12: warning: producer can block forever in 'send' on bounded queue 'ch' (StatusChannel, capacity 2): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
// CHECK-FIXES: {{^}}        in_.close();{{$}}
// CHECK-FIXES: {{^}}    if (ch.send(i) == SendStatus::closed){{$}}
