// accuracy-family: stranded-producer
// accuracy-origin: jbaldwin/libcoro issue #401, PR #402 (queue::shutdown_drain in include/coro/queue.hpp at ae8f34e^: a yield loop until empty), re-expressed with threads
// accuracy-shape: queue=cv-hand-written-unbounded queue-api=push/pop/shutdown/shutdown_drain pop-result=variant-with-stopped close=shutdown+drain spawner=std::thread producer=calling-thread consumer=lambda exit=throw-caught-then-shutdown blocks-in=drain-yield-loop fix=drain-loop-rechecks-state wait=join
//
// The calling thread queues every job, starts the workers, then finishes
// with shutdown_drain(): no more pushes, yield until the workers have taken
// every job, then shut down so that their pops return "stopped". A worker
// whose job throws shuts the queue down at once, which stops every pop,
// jobs left or not; the drain loop only asks whether the queue is empty,
// so it yields forever.
//
// The upstream fix: loop only while the queue is non-empty AND still
// draining.
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <variant>
#include <vector>

enum class queue_produce_result { produced, stopped };
enum class queue_consume_result { stopped };

template <typename T> class queue {
  enum class running_state { running, draining, stopped };

public:
  queue_produce_result push(T v) {
    std::lock_guard<std::mutex> lk(m_);
    if (state_ != running_state::running)
      return queue_produce_result::stopped;
    elements_.push_back(std::move(v));
    cv_.notify_one();
    return queue_produce_result::produced;
  }

  // Pops proceed until the queue is stopped.
  std::variant<T, queue_consume_result> pop() {
    std::unique_lock<std::mutex> lk(m_);
    cv_.wait(lk, [&] { return state_ == running_state::stopped || !elements_.empty(); });
    if (state_ == running_state::stopped)
      return queue_consume_result::stopped;
    T v = std::move(elements_.front());
    elements_.pop_front();
    return v;
  }

  bool empty() const {
    std::lock_guard<std::mutex> lk(m_);
    return elements_.empty();
  }

  void shutdown() {
    std::lock_guard<std::mutex> lk(m_);
    state_ = running_state::stopped;
    cv_.notify_all();
  }

  void shutdown_drain() {
    {
      std::lock_guard<std::mutex> lk(m_);
      if (state_ == running_state::running)
        state_ = running_state::draining;
    }
    while (!empty() && draining())
      std::this_thread::yield();
    shutdown();
  }

private:
  bool draining() const {
    std::lock_guard<std::mutex> lk(m_);
    return state_ == running_state::draining;
  }

  mutable std::mutex m_;
  std::condition_variable cv_;
  std::deque<T> elements_;
  running_state state_ = running_state::running;
};

struct thumbnail_job {
  int id;
  std::string path;
};

static void make_thumbnail(const thumbnail_job &job) {
  // Every upload of this batch was cut short.
  if (!job.path.empty())
    throw std::runtime_error("cannot decode image: truncated PNG header");
}

int main() {
  queue<thumbnail_job> jobs;
  for (int i = 0; i < 100; ++i)
    jobs.push(thumbnail_job{i, "upload/" + std::to_string(i) + ".png"});

  std::mutex error_mutex;
  std::string first_error;
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w)
    workers.emplace_back([&] {
      while (true) {
        auto next = jobs.pop();
        if (std::holds_alternative<queue_consume_result>(next))
          return;
        try {
          make_thumbnail(std::get<thumbnail_job>(next));
        } catch (const std::exception &e) {
          {
            std::lock_guard<std::mutex> lk(error_mutex);
            if (first_error.empty())
              first_error = e.what();
          }
          jobs.shutdown(); // wake everyone: this batch is lost
          return;
        }
      }
    });

  jobs.shutdown_drain();
  for (auto &t : workers)
    t.join();
  if (!first_error.empty())
    std::printf("batch failed: %s\n", first_error.c_str());
  else
    std::printf("batch done\n");
  return 0;
}
