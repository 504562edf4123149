// accuracy-family: stranded-consumer
// accuracy-origin: KjellKod/g3log src/g3log/active.hpp and shared_queue.hpp (8ff5c3e: an Active object runs every std::function sent to it on its own thread until one sets done_; ~Active() sends that closure and joins), and the LogWorker shape built on it (sinks called through the Active, results through futures)
// accuracy-shape: queue=cv-unbounded-no-close spawner=factory+class-member-thread producer=member-function-many-threads consumer=member-function-thread exit=none wait=destructor+future-get end=done-closure
//
// Correct: a logging worker owns an Active object (an unbounded queue of
// std::function messages and the thread that runs them). Application
// threads send it log entries; a caller asks a sink for its line count
// through a message that fulfils a promise, and waits on the future. The
// queue is never closed: ~Active() sends a last message that sets done_,
// and the thread leaves after running it.
#include <condition_variable>
#include <cstddef>
#include <cstdio>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <queue>
#include <string>
#include <thread>
#include <vector>

template <typename T> class shared_queue {
public:
  void push(T item) {
    {
      std::lock_guard<std::mutex> lock(m_);
      queue_.push(std::move(item));
    }
    data_cond_.notify_one();
  }

  void wait_and_pop(T &popped_item) {
    std::unique_lock<std::mutex> lock(m_);
    while (queue_.empty())
      data_cond_.wait(lock);
    popped_item = std::move(queue_.front());
    queue_.pop();
  }

private:
  std::queue<T> queue_;
  std::mutex m_;
  std::condition_variable data_cond_;
};

using Callback = std::function<void()>;

class Active {
public:
  Active(const Active &) = delete;
  Active &operator=(const Active &) = delete;

  ~Active() {
    send([this] { done_ = true; });
    thd_.join();
  }

  void send(Callback msg) { mq_.push(std::move(msg)); }

  static std::unique_ptr<Active> createActive() {
    std::unique_ptr<Active> aPtr(new Active());
    aPtr->thd_ = std::thread(&Active::run, aPtr.get());
    return aPtr;
  }

private:
  Active() = default;

  void run() {
    while (!done_) {
      Callback func;
      mq_.wait_and_pop(func);
      func();
    }
  }

  shared_queue<Callback> mq_;
  std::thread thd_;
  bool done_ = false;
};

class FileSink {
public:
  void receiveLogMessage(const std::string &entry) {
    ++lines_;
    bytes_ += entry.size() + 1;
  }
  std::size_t lines() const { return lines_; }

private:
  std::size_t lines_ = 0, bytes_ = 0;
};

class LogWorker {
public:
  LogWorker() : bg_(Active::createActive()) {}

  void save(std::string entry) {
    bg_->send([this, entry = std::move(entry)] { sink_.receiveLogMessage(entry); });
  }

  // Runs on the worker thread; the caller gets the answer through a future.
  std::future<std::size_t> lineCount() {
    auto done = std::make_shared<std::promise<std::size_t>>();
    std::future<std::size_t> result = done->get_future();
    bg_->send([this, done] { done->set_value(sink_.lines()); });
    return result;
  }

private:
  FileSink sink_;                 // touched only by the worker thread
  std::unique_ptr<Active> bg_;    // destroyed first: drains, then joins
};

int main() {
  auto worker = std::make_unique<LogWorker>();

  std::vector<std::thread> app;
  for (int t = 0; t < 4; ++t)
    app.emplace_back([&worker, t] {
      for (int i = 0; i < 500; ++i)
        worker->save("thread " + std::to_string(t) + ": step " + std::to_string(i));
    });
  for (auto &t : app)
    t.join();

  std::printf("lines logged: %zu\n", worker->lineCount().get());
  worker.reset(); // ~Active: the done message, then join
  return 0;
}
