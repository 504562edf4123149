// RUN: %check_clang_tidy %s fanout-stranded-producer %t -- -- -std=c++20 -isystem %S/Inputs

// A pool whose submit() blocks at a task limit (muduo's ThreadPool with a
// maximum queue size). submit() is read as a blocking push and stop() as its
// close, but the consumers are the pool's own workers, started inside the
// class: no function both spawns them and feeds the pool, so a worker that
// dies early is not modelled and nothing is reported (a documented limit).

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

bool process(int item);

class TaskPool {
public:
  TaskPool(int threads, std::size_t maxTasks) : max_(maxTasks) {
    for (int i = 0; i < threads; ++i)
      workers_.emplace_back(&TaskPool::workerLoop, this);
  }
  ~TaskPool() { stop(); }
  bool submit(std::function<void()> task) {
    std::unique_lock<std::mutex> lk(m_);
    notFull_.wait(lk, [&] { return stopped_ || tasks_.size() < max_; });
    if (stopped_)
      return false;
    tasks_.push_back(std::move(task));
    notEmpty_.notify_one();
    return true;
  }
  void stop() {
    {
      std::lock_guard<std::mutex> lk(m_);
      stopped_ = true;
      notFull_.notify_all();
      notEmpty_.notify_all();
    }
    for (auto &t : workers_)
      if (t.joinable())
        t.join();
  }

private:
  void workerLoop() {
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock<std::mutex> lk(m_);
        notEmpty_.wait(lk, [&] { return stopped_ || !tasks_.empty(); });
        if (tasks_.empty())
          return;
        task = std::move(tasks_.front());
        tasks_.pop_front();
        notFull_.notify_one();
      }
      task();
    }
  }

  std::mutex m_;
  std::condition_variable notFull_, notEmpty_;
  std::deque<std::function<void()>> tasks_;
  std::size_t max_;
  bool stopped_ = false;
  std::vector<std::thread> workers_;
};

// The producer thread submits more tasks than the limit; if every worker
// died, it would block in submit() forever. Not reported: the workers are
// spawned in TaskPool's constructor, not here.
void feedPool(int n) {
  TaskPool pool(2, 4);
  std::thread producer([&] {
    for (int i = 0; i < n; ++i)
      if (!pool.submit([i] { process(i); }))
        return;
  });
  producer.join();
  pool.stop();
}
