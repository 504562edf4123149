// Hand-written queues in the styles real code bases use. None is configured:
// the check must recognise each from its own code. BoundedQueue comes from
// examples/bounded_queue.h, the project's one copy of it.
#pragma once

#include <array>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <queue>

// Predicate waits; push returns false once closed, try_push never blocks:
// BoundedQueue<T>, the queue users see in the examples, defined there only.
#include "../../../examples/bounded_queue.h"

struct ChannelClosed {};

// A ring buffer with explicit wait loops and a counter; a push into a closed
// ring throws, and receive() hands out an optional.
template <typename T, std::size_t N> class Ring {
public:
  void send(const T &value) {
    std::unique_lock<std::mutex> guard(lock);
    while (count == N && !shut)
      space.wait(guard);
    if (shut)
      throw ChannelClosed{};
    slots[tail] = value;
    tail = (tail + 1) % N;
    ++count;
    data.notify_one();
  }
  std::optional<T> receive() {
    std::unique_lock<std::mutex> guard(lock);
    while (count == 0 && !shut)
      data.wait(guard);
    if (count == 0)
      return std::nullopt;
    T value = slots[head];
    head = (head + 1) % N;
    --count;
    space.notify_one();
    return value;
  }
  void shutdown() {
    std::lock_guard<std::mutex> guard(lock);
    shut = true;
    space.notify_all();
    data.notify_all();
  }

private:
  std::mutex lock;
  std::condition_variable space, data;
  std::array<T, N> slots{};
  std::size_t head = 0, tail = 0, count = 0;
  bool shut = false;
};

// condition_variable_any, a helper predicate, and a push that keeps going
// (returns normally) once stopped.
template <typename T> class Mailbox {
public:
  explicit Mailbox(int limit) : limit_(limit) {}
  void put(T v) {
    std::unique_lock<std::mutex> lk(m_);
    cv_.wait(lk, [this] { return stopped_ || !full(); });
    if (stopped_)
      return;
    q_.push(std::move(v));
    cv_.notify_all();
  }
  bool take(T &v) {
    std::unique_lock<std::mutex> lk(m_);
    cv_.wait(lk, [this] { return stopped_ || !q_.empty(); });
    if (q_.empty())
      return false;
    v = std::move(q_.front());
    q_.pop();
    cv_.notify_all();
    return true;
  }
  void stop() {
    std::lock_guard<std::mutex> lk(m_);
    stopped_ = true;
    cv_.notify_all();
  }

private:
  bool full() const { return static_cast<int>(q_.size()) >= limit_; }
  std::mutex m_;
  std::condition_variable_any cv_;
  std::queue<T> q_;
  int limit_;
  bool stopped_ = false;
};

// Unbounded: push never waits, so a producer can never be stranded in it.
template <typename T> class UnboundedQueue {
public:
  void push(T v) {
    std::lock_guard<std::mutex> lk(m_);
    items_.push_back(std::move(v));
    cv_.notify_one();
  }
  bool pop(T &out) {
    std::unique_lock<std::mutex> lk(m_);
    cv_.wait(lk, [&] { return done_ || !items_.empty(); });
    if (items_.empty())
      return false;
    out = std::move(items_.front());
    items_.pop_front();
    return true;
  }
  void close() {
    std::lock_guard<std::mutex> lk(m_);
    done_ = true;
    cv_.notify_all();
  }

private:
  std::mutex m_;
  std::condition_variable cv_;
  std::deque<T> items_;
  bool done_ = false;
};

// close() only wakes readers: a writer asleep in push() never sees it.
template <typename T> class ReaderCloseQueue {
public:
  explicit ReaderCloseQueue(std::size_t cap) : cap_(cap) {}
  void push(T v) {
    std::unique_lock<std::mutex> lk(m_);
    not_full_.wait(lk, [&] { return items_.size() < cap_; });
    items_.push_back(std::move(v));
    not_empty_.notify_one();
  }
  bool pop(T &out) {
    std::unique_lock<std::mutex> lk(m_);
    not_empty_.wait(lk, [&] { return closed_ || !items_.empty(); });
    if (items_.empty())
      return false;
    out = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return true;
  }
  void close() {
    std::lock_guard<std::mutex> lk(m_);
    closed_ = true;
    not_empty_.notify_all();
  }

private:
  std::mutex m_;
  std::condition_variable not_full_, not_empty_;
  std::deque<T> items_;
  std::size_t cap_;
  bool closed_ = false;
};

// POSIX condition variables in explicit loops; push reports closure.
#include <pthread.h>
class PosixQueue {
public:
  explicit PosixQueue(int max) : max_(max) {
    pthread_mutex_init(&mu_, nullptr);
    pthread_cond_init(&cond_, nullptr);
  }
  bool enqueue(int v) {
    pthread_mutex_lock(&mu_);
    while (items_.size() >= static_cast<std::size_t>(max_) && !closed_)
      pthread_cond_wait(&cond_, &mu_);
    if (closed_) {
      pthread_mutex_unlock(&mu_);
      return false;
    }
    items_.push_back(v);
    pthread_cond_broadcast(&cond_);
    pthread_mutex_unlock(&mu_);
    return true;
  }
  bool dequeue(int &v) {
    pthread_mutex_lock(&mu_);
    while (items_.empty() && !closed_)
      pthread_cond_wait(&cond_, &mu_);
    bool ok = !items_.empty();
    if (ok) {
      v = items_.front();
      items_.pop_front();
    }
    pthread_cond_broadcast(&cond_);
    pthread_mutex_unlock(&mu_);
    return ok;
  }
  void close() {
    pthread_mutex_lock(&mu_);
    closed_ = true;
    pthread_cond_broadcast(&cond_);
    pthread_mutex_unlock(&mu_);
  }

private:
  pthread_mutex_t mu_;
  pthread_cond_t cond_;
  std::deque<int> items_;
  int max_;
  bool closed_ = false;
};

// Polls with a sleep while full; cannot be closed.
#include <chrono>
#include <thread>
template <typename T> class PollingQueue {
public:
  explicit PollingQueue(std::size_t limit) : limit_(limit) {}
  void push(T v) {
    for (;;) {
      {
        std::lock_guard<std::mutex> lk(m_);
        if (items_.size() < limit_) {
          items_.push_back(std::move(v));
          return;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  bool pop(T &out) {
    std::unique_lock<std::mutex> lk(m_);
    ready_.wait(lk, [&] { return !items_.empty(); });
    out = std::move(items_.front());
    items_.pop_front();
    return true;
  }

private:
  std::mutex m_;
  std::condition_variable ready_;
  std::deque<T> items_;
  std::size_t limit_;
};

// A ring guarded by counting semaphores: acquiring a free slot is the
// blocking push. It has no close.
#include <semaphore>
template <typename T, std::ptrdiff_t N> class SemaphoreRing {
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
  T take() {
    used_.acquire();
    T v;
    {
      std::lock_guard<std::mutex> lk(m_);
      v = std::move(buf_[head_]);
      head_ = (head_ + 1) % N;
    }
    free_.release();
    return v;
  }

private:
  std::counting_semaphore<N> free_{N}, used_{0};
  std::mutex m_;
  std::array<T, N> buf_{};
  std::ptrdiff_t head_ = 0, tail_ = 0;
};

// Closes itself when destroyed (as qlever's ThreadSafeQueue); send() gives
// up once closed, receive() hands out an empty optional.
template <typename T> class Pipe {
public:
  explicit Pipe(std::size_t room) : room_(room) {}
  ~Pipe() { close(); }
  bool send(T v) {
    std::unique_lock<std::mutex> lock(mu_);
    space_.wait(lock, [&] { return items_.size() < room_ || closed_; });
    if (closed_)
      return false;
    items_.push_back(std::move(v));
    ready_.notify_one();
    return true;
  }
  std::optional<T> receive() {
    std::unique_lock<std::mutex> lock(mu_);
    ready_.wait(lock, [&] { return !items_.empty() || closed_; });
    if (items_.empty())
      return std::nullopt;
    T v = std::move(items_.front());
    items_.pop_front();
    space_.notify_one();
    return v;
  }
  void close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    ready_.notify_all();
    space_.notify_all();
  }

private:
  std::mutex mu_;
  std::condition_variable space_, ready_;
  std::deque<T> items_;
  std::size_t room_;
  bool closed_ = false;
};

// An optional-returning pop, a bool push that gives up once stopped.
template <typename T> class Conveyor {
public:
  explicit Conveyor(std::size_t slots) : slots_(slots) {}
  bool load(T v) {
    std::unique_lock<std::mutex> lock(mu_);
    free_.wait(lock, [&] { return belt_.size() < slots_ || stopped_; });
    if (stopped_)
      return false;
    belt_.push_back(std::move(v));
    full_.notify_one();
    return true;
  }
  std::optional<T> unload() {
    std::unique_lock<std::mutex> lock(mu_);
    full_.wait(lock, [&] { return !belt_.empty() || stopped_; });
    if (belt_.empty())
      return std::nullopt;
    T v = std::move(belt_.front());
    belt_.pop_front();
    free_.notify_one();
    return v;
  }
  void stop() {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
    full_.notify_all();
    free_.notify_all();
  }

private:
  std::mutex mu_;
  std::condition_variable free_, full_;
  std::deque<T> belt_;
  std::size_t slots_;
  bool stopped_ = false;
};

// End of stream is an empty optional; fail() hands both sides the reason:
// every later put() and take() throws it (seastar's queue::abort).
#include <exception>
template <typename T> class Stream {
public:
  explicit Stream(std::size_t depth) : depth_(depth) {}
  void put(std::optional<T> v) {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait(lock, [&] { return error_ || items_.size() < depth_; });
    if (error_)
      std::rethrow_exception(error_);
    items_.push_back(std::move(v));
    changed_.notify_all();
  }
  std::optional<T> take() {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait(lock, [&] { return error_ || !items_.empty(); });
    if (error_)
      std::rethrow_exception(error_);
    std::optional<T> v = std::move(items_.front());
    items_.pop_front();
    changed_.notify_all();
    return v;
  }
  void fail(std::exception_ptr why) {
    std::lock_guard<std::mutex> lock(mu_);
    error_ = why;
    changed_.notify_all();
  }

private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<std::optional<T>> items_;
  std::size_t depth_;
  std::exception_ptr error_;
};
