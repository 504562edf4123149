// accuracy-family: stranded-consumer
// accuracy-origin: gabime/spdlog include/spdlog/details/thread_pool-inl.h, mpmc_blocking_q.h, async_logger-inl.h (HEAD 62302019): the pool's destructor posts one terminate message per worker (blocking enqueue) and joins; flush() posts a flush message carrying a promise and waits on its future; sink errors are caught and reported, the worker keeps going
// accuracy-shape: queue=cv-circular-buffer spawner=class-constructor producer=member-function-many-threads consumer=pool-thread exit=none wait=destructor+future-get end=terminate-message-per-worker
//
// Correct: the queue has no close, and none is needed. Several application
// threads log through two loggers that share a three-thread pool; a sink
// throws on some records, which the worker catches and reports once. Each
// logger flushes by posting a flush message and waiting on its future, which
// a worker fulfils. When the pool is destroyed it posts one terminate message
// per worker -- each worker leaves after taking exactly one -- and joins.
#include <condition_variable>
#include <cstddef>
#include <cstdio>
#include <future>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace details {

template <typename T> class mpmc_blocking_queue {
public:
  explicit mpmc_blocking_queue(std::size_t max_items) : v_(max_items + 1) {}

  void enqueue(T &&item) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      pop_cv_.wait(lock, [this] { return (tail_ + 1) % v_.size() != head_; });
      v_[tail_] = std::move(item);
      tail_ = (tail_ + 1) % v_.size();
    }
    push_cv_.notify_one();
  }

  void dequeue(T &popped) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      push_cv_.wait(lock, [this] { return head_ != tail_; });
      popped = std::move(v_[head_]);
      head_ = (head_ + 1) % v_.size();
    }
    pop_cv_.notify_one();
  }

private:
  std::mutex mutex_;
  std::condition_variable push_cv_, pop_cv_;
  std::vector<T> v_;
  std::size_t head_ = 0, tail_ = 0;
};

} // namespace details

class async_logger;

enum class async_msg_type { log, flush, terminate };

struct async_msg {
  async_msg_type type = async_msg_type::log;
  std::shared_ptr<async_logger> worker;
  std::string payload;
  std::promise<void> flush_promise;
};

class sink {
public:
  virtual ~sink() = default;
  virtual void log(const std::string &formatted) = 0;
  virtual void flush() {}
};

class counting_sink : public sink {
public:
  void log(const std::string &) override {
    std::lock_guard<std::mutex> lock(mutex_);
    ++records_;
  }
  std::size_t records() {
    std::lock_guard<std::mutex> lock(mutex_);
    return records_;
  }

private:
  std::mutex mutex_;
  std::size_t records_ = 0;
};

// A syslog sink whose socket rejects every record longer than it allows.
class picky_syslog_sink : public sink {
public:
  void log(const std::string &formatted) override {
    if (formatted.size() > 40)
      throw std::runtime_error("syslog: message too long");
  }
};

class thread_pool {
public:
  thread_pool(std::size_t q_max_items, std::size_t threads_n) : q_(q_max_items) {
    for (std::size_t i = 0; i < threads_n; ++i)
      threads_.emplace_back([this] { worker_loop_(); });
  }

  // message all threads to terminate gracefully and join them
  ~thread_pool() {
    for (std::size_t i = 0; i < threads_.size(); ++i) {
      async_msg msg;
      msg.type = async_msg_type::terminate;
      q_.enqueue(std::move(msg));
    }
    for (auto &t : threads_)
      t.join();
  }

  void post_log(std::shared_ptr<async_logger> worker, std::string text) {
    async_msg msg;
    msg.worker = std::move(worker);
    msg.payload = std::move(text);
    q_.enqueue(std::move(msg));
  }

  std::future<void> post_flush(std::shared_ptr<async_logger> worker) {
    async_msg msg;
    msg.type = async_msg_type::flush;
    msg.worker = std::move(worker);
    std::future<void> done = msg.flush_promise.get_future();
    q_.enqueue(std::move(msg));
    return done;
  }

private:
  void worker_loop_() {
    while (process_next_msg_()) {
    }
  }
  bool process_next_msg_();

  details::mpmc_blocking_queue<async_msg> q_;
  std::vector<std::thread> threads_;
};

class async_logger : public std::enable_shared_from_this<async_logger> {
public:
  async_logger(std::string name, std::vector<std::shared_ptr<sink>> sinks,
               std::weak_ptr<thread_pool> tp)
      : name_(std::move(name)), sinks_(std::move(sinks)), pool_(std::move(tp)) {}

  void info(const std::string &text) {
    if (auto pool = pool_.lock())
      pool->post_log(shared_from_this(), "[" + name_ + "] " + text);
  }

  void flush() {
    if (auto pool = pool_.lock())
      pool->post_flush(shared_from_this()).get();
  }

  void backend_sink_it_(const std::string &payload) {
    for (auto &s : sinks_) {
      try {
        s->log(payload);
      } catch (const std::exception &e) {
        report_err_(e.what());
      }
    }
  }

  void backend_flush_() {
    for (auto &s : sinks_)
      s->flush();
  }

private:
  void report_err_(const char *what) {
    std::lock_guard<std::mutex> lock(err_mutex_);
    if (!reported_)
      std::printf("[*** LOG ERROR ***] [%s] %s\n", name_.c_str(), what);
    reported_ = true;
  }

  std::string name_;
  std::vector<std::shared_ptr<sink>> sinks_;
  std::weak_ptr<thread_pool> pool_;
  std::mutex err_mutex_;
  bool reported_ = false;
};

bool thread_pool::process_next_msg_() {
  async_msg incoming;
  q_.dequeue(incoming);
  switch (incoming.type) {
  case async_msg_type::log:
    incoming.worker->backend_sink_it_(incoming.payload);
    return true;
  case async_msg_type::flush:
    incoming.worker->backend_flush_();
    incoming.flush_promise.set_value();
    return true;
  case async_msg_type::terminate:
    return false;
  }
  return true;
}

int main() {
  auto pool = std::make_shared<thread_pool>(16, 3);
  auto file = std::make_shared<counting_sink>();
  auto syslog = std::make_shared<picky_syslog_sink>();
  auto http = std::make_shared<async_logger>(
      "http", std::vector<std::shared_ptr<sink>>{file}, pool);
  auto audit = std::make_shared<async_logger>(
      "audit", std::vector<std::shared_ptr<sink>>{file, syslog}, pool);

  std::vector<std::thread> handlers;
  for (int h = 0; h < 4; ++h)
    handlers.emplace_back([&, h] {
      for (int i = 0; i < 250; ++i) {
        http->info("GET /items/" + std::to_string(i));
        if (i % 50 == 0)
          audit->info("handler " + std::to_string(h) + " rotated the session key of user " +
                      std::to_string(i));
      }
    });
  for (auto &t : handlers)
    t.join();

  http->flush();
  audit->flush();
  http.reset();
  audit.reset();
  pool.reset(); // one terminate message per worker, then join
  std::printf("records written: %zu\n", file->records());
  return 0;
}
