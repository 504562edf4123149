// RUN: %check_clang_tidy %s fanout-stranded-producer,fanout-stranded-consumer,fanout-join-before-drain %t -- -- -std=c++20

// Which side a hand-written method is on is read from when its wait lets the
// thread go on, not from the words in its condition: a push goes on once the
// level is below the bound (`used_ < N`, `pushes_ - pops_ + n <= cap`), a pop
// once there is something (`used_ > 0`, `pushes_ - pops_ >= want`). A state
// compared with a constant (`state_ == State::stopped`) is a flag, not a
// level, and not a capacity; a status object returned once closed is the
// pop's closed result.
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

bool handle(int item);

// A slot ring with a run state: the waits compare the state with constants.
template <typename T, int Slots> class Ring {
  enum class State { running, stopped };

public:
  enum class Produced { ok, stopped };

  Produced produce(T item) {
    std::unique_lock<std::mutex> lk(m_);
    cv_.wait(lk, [&] { return state_ != State::running || used_ < Slots; });
    if (state_ != State::running)
      return Produced::stopped;
    slots_[(front_++) % Slots] = item;
    ++used_;
    cv_.notify_all();
    return Produced::ok;
  }

  // Hands the oldest item to f; false once stopped.
  template <typename F> bool consume_one(F &&f) {
    std::unique_lock<std::mutex> lk(m_);
    cv_.wait(lk, [&] { return state_ == State::stopped || used_ > 0; });
    if (state_ == State::stopped)
      return false;
    f(slots_[(back_++) % Slots]);
    --used_;
    cv_.notify_all();
    return true;
  }

  void stop() {
    std::lock_guard<std::mutex> lk(m_);
    state_ = State::stopped;
    cv_.notify_all();
  }

private:
  std::mutex m_;
  std::condition_variable cv_;
  T slots_[Slots];
  int front_ = 0, back_ = 0, used_ = 0;
  State state_ = State::running;
};

void ringConsumerLeaves(int n) {
  Ring<int, 2> ring;
  std::thread consumer([&] {
    bool failed = false;
    while (!failed && ring.consume_one([&](int v) { failed = !handle(v); })) {
    }
  });
  for (int i = 0; i < n; ++i)
    if (ring.produce(i) == Ring<int, 2>::Produced::stopped)
      break;
  ring.stop();
  consumer.join();
}
// CHECK-NOTES: :[[@LINE-5]]:14: warning: producer can block forever in 'produce' on bounded queue 'ring' (Ring<int, 2>): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
// CHECK-NOTES: :[[@LINE-13]]:16: note: queue 'ring' declared here
// CHECK-NOTES: :[[@LINE-11]]:12: note: consumer's loop condition ends the pop loop here before 'ring' is closed
// CHECK-NOTES: :[[@LINE-14]]:15: note: consumer thread spawned here
// CHECK-NOTES: :[[@LINE-12]]:6: note: fix: close 'ring' on each consumer exit, so that a producer blocked in 'produce' wakes up

// The consumer stops the ring on its way out: the producer's next produce
// returns `stopped`.
void ringConsumerStops(int n) {
  Ring<int, 2> ring;
  std::thread consumer([&] {
    bool failed = false;
    while (!failed && ring.consume_one([&](int v) { failed = !handle(v); })) {
    }
    ring.stop();
  });
  for (int i = 0; i < n; ++i)
    if (ring.produce(i) == Ring<int, 2>::Produced::stopped)
      break;
  ring.stop();
  consumer.join();
}

// Counters of pushes and pops: the producer reserves room for `count` items,
// the consumer waits for a batch. The pop reports the close through a status
// object.
struct Status {
  int code = 0;
  std::string message;
  bool ok() const { return code == 0; }
};

template <typename T> class BatchQueue {
public:
  explicit BatchQueue(int capacity) : buffer_(capacity) {}

  bool reserve(int count) {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait(lock, [&] {
      return closed_ || pushes_ + reserved_ - pops_ + count <=
                            static_cast<int64_t>(buffer_.size());
    });
    reserved_ += count;
    return !closed_;
  }

  void commit(T item) {
    std::lock_guard<std::mutex> lock(mu_);
    --reserved_;
    buffer_[pushes_++ % buffer_.size()] = item;
    changed_.notify_all();
  }

  Status take(int want, std::vector<T> *out) {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait(lock, [&] { return closed_ || pushes_ - pops_ >= want; });
    if (closed_)
      return {1, "closed"};
    for (int i = 0; i < want; ++i)
      out->push_back(buffer_[pops_++ % buffer_.size()]);
    changed_.notify_all();
    return {};
  }

  void close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    changed_.notify_all();
  }

private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::vector<T> buffer_;
  int64_t pushes_ = 0, pops_ = 0, reserved_ = 0;
  bool closed_ = false;
};

int batchesProducerReturns(const std::vector<int> &items) {
  BatchQueue<int> queue(8);
  int sent = 0;
  std::jthread sender([&] {
    for (;;) {
      std::vector<int> batch;
      Status status = queue.take(2, &batch);
      if (!status.ok())
        break;
      sent += static_cast<int>(batch.size());
    }
  });
  for (int item : items) {
    if (item < 0)
      return -1;
    if (!queue.reserve(1))
      break;
    queue.commit(item);
  }
  queue.close();
  sender.join();
  return sent;
}
// CHECK-NOTES: :[[@LINE-17]]:29: warning: consumers can block forever in 'take' on queue 'queue' (BatchQueue<int>): the producer can finish without closing it [fanout-stranded-consumer]
// CHECK-NOTES: :[[@LINE-23]]:19: note: queue 'queue' declared here
// CHECK-NOTES: :[[@LINE-11]]:7: note: producer returns here without closing 'queue'
// CHECK-NOTES: :[[@LINE-23]]:16: note: consumer thread spawned here
// CHECK-NOTES: :[[@LINE-7]]:3: note: this wait never returns once the consumers are stuck
// CHECK-NOTES: :[[@LINE-13]]:16: note: no automatic fix is certain here; call 'queue.close()' on every way out of the producer (an RAII guard covers exceptions too)

// The same with the close on every path: nothing to report.
int batchesProducerCloses(const std::vector<int> &items) {
  BatchQueue<int> queue(8);
  int sent = 0;
  std::jthread sender([&] {
    for (;;) {
      std::vector<int> batch;
      Status status = queue.take(2, &batch);
      if (!status.ok())
        break;
      sent += static_cast<int>(batch.size());
    }
  });
  int result = 0;
  for (int item : items) {
    if (item < 0) {
      result = -1;
      break;
    }
    if (!queue.reserve(1))
      break;
    queue.commit(item);
  }
  queue.close();
  sender.join();
  return result < 0 ? result : sent;
}
