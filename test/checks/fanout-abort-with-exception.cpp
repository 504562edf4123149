// RUN: %check_clang_tidy %s fanout-stranded-producer %t -- -- -std=c++20

// A queue closed with the reason, `abort(std::exception_ptr)`: a blocked
// push wakes and throws it. A consumer that ends only by an exception gets
// its body wrapped in a handler that aborts the queue with that exception
// and rethrows it; one that can also return gets a note instead.
#include <condition_variable>
#include <deque>
#include <exception>
#include <future>
#include <mutex>
#include <stdexcept>
#include <vector>

template <typename T> class Pipe {
public:
  explicit Pipe(std::size_t room) : room_(room) {}
  void send(T v) {
    std::unique_lock<std::mutex> lk(m_);
    cv_.wait(lk, [&] { return failure_ || q_.size() < room_; });
    if (failure_)
      std::rethrow_exception(failure_);
    q_.push_back(v);
    cv_.notify_all();
  }
  T receive() {
    std::unique_lock<std::mutex> lk(m_);
    cv_.wait(lk, [&] { return failure_ || !q_.empty(); });
    if (failure_)
      std::rethrow_exception(failure_);
    T v = q_.front();
    q_.pop_front();
    cv_.notify_all();
    return v;
  }
  void abort(std::exception_ptr why) {
    std::lock_guard<std::mutex> lk(m_);
    failure_ = why;
    cv_.notify_all();
  }

private:
  std::mutex m_;
  std::condition_variable cv_;
  std::deque<T> q_;
  std::size_t room_;
  std::exception_ptr failure_;
};

bool fits(int chunk);
void store(int chunk);

void consume(Pipe<int> &pipe) {
  for (;;) {
    int chunk = pipe.receive();
    if (chunk < 0)
      return;
    if (!fits(chunk))
      throw std::runtime_error("chunk too large");
    store(chunk);
  }
}

void copyAll(int chunks) {
  Pipe<int> pipe(4);
  std::future<void> sink = std::async(std::launch::async, [&pipe] {
    consume(pipe);
  });
  // CHECK-FIXES: {{^}}  std::future<void> sink = std::async(std::launch::async, [&pipe] {{[{]}}{{$}}
  // CHECK-FIXES-NEXT: {{^}}    try {{[{]}}{{$}}
  // CHECK-FIXES-NEXT: {{^}}      consume(pipe);{{$}}
  // CHECK-FIXES-NEXT: {{^}}    } catch (...) {{[{]}}{{$}}
  // CHECK-FIXES-NEXT: {{^}}      pipe.abort(std::current_exception());{{$}}
  // CHECK-FIXES-NEXT: {{^}}      throw;{{$}}
  // CHECK-FIXES-NEXT: {{^}}    }{{$}}
  // CHECK-FIXES-NEXT: {{^}}  });{{$}}
  for (int c = 0; c < chunks; ++c)
    pipe.send(c * 10);
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: producer can block forever in 'send' on bounded queue 'pipe' (Pipe<int>, capacity 4): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
  pipe.send(-1);
  sink.get();
}

// A consumer that can also just return: no exception to abort with.
void copySome(int chunks) {
  Pipe<int> pipe(4);
  std::future<void> sink = std::async(std::launch::async, [&pipe] {
    for (;;) {
      int chunk = pipe.receive();
      if (chunk < 0 || !fits(chunk))
        return;
      store(chunk);
    }
  });
  for (int c = 0; c < chunks; ++c)
    pipe.send(c * 10);
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: producer can block forever in 'send' on bounded queue 'pipe' (Pipe<int>, capacity 4): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]
  pipe.send(-1);
  sink.get();
}
