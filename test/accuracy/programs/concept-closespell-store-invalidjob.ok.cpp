// accuracy-family: stranded-consumer
// accuracy-origin: taikt/codefun cpp/pattern/stuck_detector/service/JobQueue.cpp and its TaskWorkerThread (popTask() returns a default-constructed std::packaged_task once shut down; the worker checks task.valid()), the pattern of Qualcomm telux common/TaskQueue.cpp, and daniltulin/Concurrency HomeWorks/ThreadPool/BlockingQueue/thread_safe_queue.hpp (bounded; shutdown() does should_shutdown.store(true) and wakes both sides)
// accuracy-shape: queue=cv-hand-written close=atomic-store close-helper=shutdown pop-closed=invalid-object spawner=worker-class+std::async producer=lambda consumer=member-function exit=loop-condition wait=destructor+future
//
// A submitter, run with std::async, posts packaged jobs into a bounded job
// queue and ends with the queue's shutdown() helper, whose close is an
// atomic `.store(true)`. The worker threads learn of it through an invalid
// job: popTask() hands out a default-constructed packaged_task, and the
// loop does `if (!job.valid()) break;`. Correct.
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

class JobQueue {
public:
  explicit JobQueue(std::size_t capacity) : capacity_(capacity) {}

  // False once the queue is shut down.
  bool enqueue(std::packaged_task<long()> job) {
    std::unique_lock<std::mutex> lock(mtx_);
    enqueueCv_.wait(lock, [this] {
      return shutdown_.load() || queue_.size() < capacity_;
    });
    if (shutdown_.load())
      return false;
    queue_.push_back(std::move(job));
    popCv_.notify_one();
    return true;
  }

  // An invalid task once the queue is shut down and drained.
  std::packaged_task<long()> popTask() {
    std::packaged_task<long()> job;
    std::unique_lock<std::mutex> lock(mtx_);
    popCv_.wait(lock, [this] { return shutdown_.load() || !queue_.empty(); });
    if (!queue_.empty()) {
      job = std::move(queue_.front());
      queue_.pop_front();
      enqueueCv_.notify_one();
    }
    return job;
  }

  void shutdown() {
    std::lock_guard<std::mutex> lock(mtx_);
    shutdown_.store(true);
    popCv_.notify_all();
    enqueueCv_.notify_all();
  }

private:
  std::mutex mtx_;
  std::condition_variable enqueueCv_, popCv_;
  std::deque<std::packaged_task<long()>> queue_;
  std::size_t capacity_;
  std::atomic<bool> shutdown_{false};
};

class TaskWorkerThread {
public:
  explicit TaskWorkerThread(std::shared_ptr<JobQueue> jobs)
      : jobQueue_(std::move(jobs)) {}
  ~TaskWorkerThread() {
    if (thread_.joinable())
      thread_.join();
  }
  void start() { thread_ = std::thread([this] { processTasks(); }); }

private:
  void processTasks() {
    for (;;) {
      auto job = jobQueue_->popTask();
      if (!job.valid())
        break;
      job();
    }
  }

  std::shared_ptr<JobQueue> jobQueue_;
  std::thread thread_;
};

static long checksum(long block) {
  long h = block;
  for (int i = 0; i < 100; ++i)
    h = (h * 31 + i) % 1000003;
  return h;
}

int main() {
  auto jobs = std::make_shared<JobQueue>(4);
  std::vector<std::unique_ptr<TaskWorkerThread>> workers;
  for (int i = 0; i < 3; ++i) {
    workers.push_back(std::make_unique<TaskWorkerThread>(jobs));
    workers.back()->start();
  }

  auto submitter = std::async(std::launch::async, [jobs] {
    std::vector<std::future<long>> results;
    for (long block = 0; block < 500; ++block) {
      std::packaged_task<long()> job([block] { return checksum(block); });
      results.push_back(job.get_future());
      if (!jobs->enqueue(std::move(job)))
        break;
    }
    jobs->shutdown();
    return results;
  });

  long total = 0;
  for (auto &r : submitter.get())
    total += r.get();
  std::printf("checksum of 500 blocks: %ld\n", total);
  return 0;
}
