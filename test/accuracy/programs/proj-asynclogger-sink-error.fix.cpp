// accuracy-family: stranded-producer
// accuracy-origin: gabime/spdlog include/spdlog/details/thread_pool-inl.h, mpmc_blocking_q.h, async_logger-inl.h (HEAD 62302019): async logger over a shared thread pool; the worker leaving on a sink error is the mistake backend_sink_it_ guards against with SPDLOG_TRY/SPDLOG_LOGGER_CATCH
// accuracy-shape: queue=cv-circular-buffer fix=keep-draining spawner=class-constructor producer=member-function consumer=pool-thread exit=loop-condition wait=destructor
//
// The fix (what spdlog's backend_sink_it_ does): a sink error is reported
// through the error handler and the worker keeps serving the queue.
//
// An async logger hands every record to a thread pool through a bounded
// blocking queue (enqueue waits for room; there is no close: the pool's
// destructor posts one terminate message per worker and joins). The worker's
// message handler returns false -- "stop this worker" -- when a sink fails to
// write. The disk is full, so the only worker stops on the first record; the
// application's next log calls fill the queue and the caller blocks inside
// logger.info(), never reaching the pool's destructor.
#include <condition_variable>
#include <cstddef>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace details {

template <typename T> class circular_q {
public:
  explicit circular_q(std::size_t max_items) : v_(max_items + 1) {}
  bool empty() const { return head_ == tail_; }
  bool full() const { return (tail_ + 1) % v_.size() == head_; }
  void push_back(T &&item) {
    v_[tail_] = std::move(item);
    tail_ = (tail_ + 1) % v_.size();
  }
  T &front() { return v_[head_]; }
  void pop_front() { head_ = (head_ + 1) % v_.size(); }

private:
  std::vector<T> v_;
  std::size_t head_ = 0, tail_ = 0;
};

template <typename T> class mpmc_blocking_queue {
public:
  explicit mpmc_blocking_queue(std::size_t max_items) : q_(max_items) {}

  // block until there is room
  void enqueue(T &&item) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      pop_cv_.wait(lock, [this] { return !q_.full(); });
      q_.push_back(std::move(item));
    }
    push_cv_.notify_one();
  }

  // block until there is an item
  void dequeue(T &popped) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      push_cv_.wait(lock, [this] { return !q_.empty(); });
      popped = std::move(q_.front());
      q_.pop_front();
    }
    pop_cv_.notify_one();
  }

private:
  std::mutex mutex_;
  std::condition_variable push_cv_, pop_cv_;
  circular_q<T> q_;
};

} // namespace details

class async_logger;

enum class async_msg_type { log, flush, terminate };

struct async_msg {
  async_msg_type type = async_msg_type::log;
  async_logger *worker = nullptr;
  std::string payload;
};

class sink {
public:
  virtual ~sink() = default;
  // false when the record could not be written
  virtual bool log(const std::string &formatted) = 0;
};

class full_disk_file_sink : public sink {
public:
  bool log(const std::string &) override { return false; } // ENOSPC
};

class thread_pool {
public:
  thread_pool(std::size_t q_max_items, std::size_t threads_n)
      : q_(q_max_items) {
    for (std::size_t i = 0; i < threads_n; ++i)
      threads_.emplace_back([this] { worker_loop_(); });
  }

  // message all threads to terminate gracefully and join them
  ~thread_pool() {
    for (std::size_t i = 0; i < threads_.size(); ++i)
      post_async_msg_(async_msg{async_msg_type::terminate, nullptr, {}});
    for (auto &t : threads_)
      t.join();
  }

  void post_log(async_logger *worker, std::string text) {
    post_async_msg_(async_msg{async_msg_type::log, worker, std::move(text)});
  }

private:
  void post_async_msg_(async_msg &&msg) {
    q_.enqueue(std::move(msg));
  }

  void worker_loop_() {
    while (process_next_msg_()) {
    }
  }

  // returns true while this thread should keep running
  bool process_next_msg_();

  details::mpmc_blocking_queue<async_msg> q_;
  std::vector<std::thread> threads_;
};

class async_logger {
public:
  async_logger(std::string name, std::shared_ptr<sink> s,
               std::shared_ptr<thread_pool> tp)
      : name_(std::move(name)), sink_(std::move(s)), pool_(std::move(tp)) {}

  void info(const std::string &text) {
    if (auto pool = pool_.lock())
      pool->post_log(this, "[" + name_ + "] [info] " + text);
  }

  // called from the pool's threads
  bool backend_sink_it_(const async_msg &msg) {
    if (!sink_->log(msg.payload))
      report_err_("write failed: No space left on device");
    return true; // report the error, keep serving the queue
  }

private:
  void report_err_(const char *what) {
    std::lock_guard<std::mutex> lock(err_mutex_);
    if (!reported_) {
      std::fprintf(stderr, "[*** LOG ERROR ***] [%s] %s\n", name_.c_str(), what);
      reported_ = true;
    }
  }

  std::string name_;
  std::shared_ptr<sink> sink_;
  std::weak_ptr<thread_pool> pool_;
  std::mutex err_mutex_;
  bool reported_ = false;
};

bool thread_pool::process_next_msg_() {
  async_msg incoming;
  q_.dequeue(incoming);
  switch (incoming.type) {
  case async_msg_type::log:
    return incoming.worker->backend_sink_it_(incoming);
  case async_msg_type::flush:
    return true;
  case async_msg_type::terminate:
    return false;
  }
  return true;
}

static void handle_requests(async_logger &log, int n) {
  for (int i = 0; i < n; ++i)
    log.info("handled request " + std::to_string(i));
}

int main() {
  auto pool = std::make_shared<thread_pool>(8, 1);
  auto file = std::make_shared<full_disk_file_sink>();
  {
    async_logger log("server", file, pool);
    handle_requests(log, 1000);
    std::printf("server: done\n");
  }
  pool.reset(); // posts the terminate messages and joins
  return 0;
}
