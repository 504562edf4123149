// RUN: %check_clang_tidy %s fanout-stranded-producer,fanout-stranded-consumer,fanout-join-before-drain %t -- -- -std=c++20 -isystem %S/Inputs

// A producer that keeps its error in the queue for the consumers
// (`fail(std::current_exception())` into a std::exception_ptr member) and
// stops strands them when the queue's blocking pop waits only for items or
// a close: the error is there, and nobody wakes to see it. The fix is in
// the queue's class: the pop's wait also ends on the error, the pop
// rethrows it, and the method that stores it wakes the waiters.
#include <condition_variable>
#include <exception>
#include <future>
#include <list>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

// The wait in a loop of its own, a condition that is not `!(...)`.
class UpdateQueue {
public:
  void push(int update) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      updates_.push_back(update);
    }
    ready_.notify_one();
  }
  // Blocks until an update arrives; nothing once released.
  std::optional<int> pop() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (updates_.empty() && !released_)
      ready_.wait(lock);
    // CHECK-FIXES: {{^}}    while (!error_ && (updates_.empty() && !released_)){{$}}
    // CHECK-FIXES-NEXT: {{^}}      ready_.wait(lock);{{$}}
    // CHECK-FIXES-NEXT: {{^}}    if (error_){{$}}
    // CHECK-FIXES-NEXT: {{^}}      std::rethrow_exception(error_);{{$}}
    if (updates_.empty())
      return std::nullopt;
    int update = updates_.front();
    updates_.pop_front();
    return update;
  }
  void release() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      released_ = true;
    }
    ready_.notify_all();
  }
  void fail(std::exception_ptr error) {
    std::lock_guard<std::mutex> lock(mutex_);
    error_ = error;
    // CHECK-FIXES: {{^}}    error_ = error;{{$}}
    // CHECK-FIXES-NEXT: {{^}}    ready_.notify_all();{{$}}
  }

private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::list<int> updates_;
  bool released_ = false;
  std::exception_ptr error_;
};

int receive(int i);
void apply(int update);
void report(const std::exception &e);

// The producer's push, its close and its error sit in a helper the thread
// calls; the error path does not close.
void relay(UpdateQueue &q, int count) {
  try {
    for (int i = 0; i < count; ++i) {
      int update = receive(i);
      if (update < 0)
        throw std::runtime_error("stream broke");
      q.push(update);
    }
    q.release();
  } catch (...) {
    q.fail(std::current_exception());
  }
}

// Positive: the calling thread consumes, inside a try.
void follow(int count) {
  UpdateQueue updates;
  std::thread receiver([&] { relay(updates, count); });
  try {
    while (std::optional<int> update = updates.pop())
      // CHECK-MESSAGES: :[[@LINE-1]]:48: warning: consumers can block forever in 'pop' on queue 'updates' (UpdateQueue): the producer can finish without closing it [fanout-stranded-consumer]
      // The note on the helper's store, printed after the warning:
      // CHECK-MESSAGES: :[[@LINE-12]]:7: note: the producer leaves its error in 'updates' here ('fail'), but 'pop' does not wake on it
      apply(*update);
  } catch (const std::exception &e) {
    report(e);
  }
  receiver.join();
}

// Positive, spelled differently: a template mailbox whose wait takes a
// predicate, a producer started with std::async, a consumer thread whose
// body handles the error.
template <typename T> class Mailbox {
public:
  void deliver(T letter) {
    std::lock_guard<std::mutex> lk(m_);
    box_.push_back(std::move(letter));
    cv_.notify_one();
  }
  bool collect(T &out) {
    std::unique_lock<std::mutex> lk(m_);
    cv_.wait(lk, [this] { return !box_.empty() || sealed_; });
    // CHECK-FIXES: {{^}}    cv_.wait(lk, [this] { return problem_ || (!box_.empty() || sealed_); });{{$}}
    // CHECK-FIXES-NEXT: {{^}}    if (problem_){{$}}
    // CHECK-FIXES-NEXT: {{^}}      std::rethrow_exception(problem_);{{$}}
    if (box_.empty())
      return false;
    out = std::move(box_.front());
    box_.pop_front();
    return true;
  }
  void seal() {
    std::lock_guard<std::mutex> lk(m_);
    sealed_ = true;
    cv_.notify_all();
  }
  void abandon(std::exception_ptr why) {
    std::lock_guard<std::mutex> lk(m_);
    problem_ = why;
    // CHECK-FIXES: {{^}}    problem_ = why;{{$}}
    // CHECK-FIXES-NEXT: {{^}}    cv_.notify_all();{{$}}
  }

private:
  std::mutex m_;
  std::condition_variable cv_;
  std::list<T> box_;
  bool sealed_ = false;
  std::exception_ptr problem_;
};

std::string compose(int i);
bool legible(const std::string &letter);
void post(const std::string &letter);

void correspond(int letters) {
  Mailbox<std::string> mailbox;
  std::thread postman([&] {
    try {
      std::string letter;
      while (mailbox.collect(letter))
        // CHECK-MESSAGES: :[[@LINE-1]]:22: warning: consumers can block forever in 'collect' on queue 'mailbox' {{.*}} [fanout-stranded-consumer]
        post(letter);
    } catch (const std::exception &e) {
      report(e);
    }
  });
  auto writer = std::async(std::launch::async, [&] {
    try {
      for (int i = 0; i < letters; ++i) {
        std::string letter = compose(i);
        if (!legible(letter))
          throw std::runtime_error("illegible letter");
        mailbox.deliver(letter);
      }
      mailbox.seal();
    } catch (...) {
      mailbox.abandon(std::current_exception());
      // CHECK-MESSAGES: :[[@LINE-1]]:15: note: the producer leaves its error in 'mailbox' here ('abandon'), but 'collect' does not wake on it
    }
  });
  writer.wait();
  postman.join();
}

// Negative: the repaired queue; its pop wakes on the error and rethrows it.
class RepairedQueue {
public:
  void push(int update) {
    std::lock_guard<std::mutex> lock(mutex_);
    updates_.push_back(update);
    ready_.notify_one();
  }
  std::optional<int> pop() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!(error_ || released_ || !updates_.empty()))
      ready_.wait(lock);
    if (error_)
      std::rethrow_exception(error_);
    if (updates_.empty())
      return std::nullopt;
    int update = updates_.front();
    updates_.pop_front();
    return update;
  }
  void release() {
    std::lock_guard<std::mutex> lock(mutex_);
    released_ = true;
    ready_.notify_all();
  }
  void fail(std::exception_ptr error) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      error_ = error;
    }
    ready_.notify_all();
  }

private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::list<int> updates_;
  bool released_ = false;
  std::exception_ptr error_;
};

void followRepaired(int count) {
  RepairedQueue updates;
  std::thread receiver([&] {
    try {
      for (int i = 0; i < count; ++i)
        updates.push(receive(i));
      updates.release();
    } catch (...) {
      updates.fail(std::current_exception());
    }
  });
  try {
    while (std::optional<int> update = updates.pop())
      apply(*update);
  } catch (const std::exception &e) {
    report(e);
  }
  receiver.join();
}

// Negative: the producer keeps its error and also releases the consumers,
// on every way out; they wake to an end and look at the error themselves.
void followReleased(int count) {
  UpdateQueue updates;
  std::thread receiver([&] {
    try {
      for (int i = 0; i < count; ++i)
        updates.push(receive(i));
    } catch (...) {
      updates.fail(std::current_exception());
    }
    updates.release();
  });
  while (std::optional<int> update = updates.pop())
    apply(*update);
  receiver.join();
}

// Declined: the pop sits in no try block, so a pop that rethrew the error
// would end the process; the class is left alone, and a note says what to
// write.
void followUnguarded(int count) {
  UpdateQueue updates;
  std::thread receiver([&] { relay(updates, count); });
  while (std::optional<int> update = updates.pop())
    // CHECK-MESSAGES: :[[@LINE-1]]:46: warning: consumers can block forever in 'pop' on queue 'updates' (UpdateQueue): the producer can finish without closing it [fanout-stranded-consumer]
    // CHECK-MESSAGES: :[[@LINE-3]]:30: note: no automatic fix is certain here; call 'q.release()' on every way out of the producer (an RAII guard covers exceptions too)
    apply(*update);
  receiver.join();
}

// Declined: one way out (the early return) neither releases nor stores the
// error; waking on the stored error would not wake the consumers there.
void relayPartly(UpdateQueue &q, int count) {
  try {
    for (int i = 0; i < count; ++i) {
      int update = receive(i);
      if (update == 0)
        return;
      if (update < 0)
        throw std::runtime_error("stream broke");
      q.push(update);
    }
    q.release();
  } catch (...) {
    q.fail(std::current_exception());
  }
}

void followPartly(int count) {
  UpdateQueue updates;
  std::thread receiver([&] { relayPartly(updates, count); });
  try {
    while (std::optional<int> update = updates.pop())
      // CHECK-MESSAGES: :[[@LINE-1]]:48: warning: consumers can block forever in 'pop' on queue 'updates' (UpdateQueue): the producer can finish without closing it [fanout-stranded-consumer]
      // CHECK-MESSAGES: :[[@LINE-17]]:9: note: producer returns here without closing 'updates'
      // CHECK-MESSAGES: :[[@LINE-11]]:7: note: the producer leaves its error in 'updates' here ('fail'), but 'pop' does not wake on it
      // CHECK-MESSAGES: :[[@LINE-6]]:30: note: no automatic fix is certain here; call 'q.release()' on every way out of the producer (an RAII guard covers exceptions too)
      apply(*update);
  } catch (const std::exception &e) {
    report(e);
  }
  receiver.join();
}
