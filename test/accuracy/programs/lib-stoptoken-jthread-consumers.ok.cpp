// accuracy-family: stranded-consumer
// accuracy-origin: sansajn/test c++/thread/jthread_with_condition_variable.cpp (a std::jthread worker waits with condition_variable_any::wait(lock, stop_token, pred) and leaves when a stop is requested), re-expressed as a correct pool of jthread consumers that no one closes
// accuracy-shape: queue=cv-any-stop-token spawner=std::jthread producer=calling-thread consumer=jthread-lambda exit=stop-request wait=jthread-destructor protocol=none
//
// Thumbnail workers are std::jthreads that pop jobs from a bounded queue,
// waiting with their own stop_token. The producer sends no end markers and
// the queue has no close: when the calling thread has pushed every job and
// seen every result, it simply lets the vector of jthreads go out of scope.
// Each jthread destructor requests a stop, which wakes its worker inside
// pop, and then joins it. Correct; a checker that wants an end marker or a
// close before the join must not flag it.
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <latch>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

template <class T> class JobQueue {
public:
  explicit JobQueue(std::size_t capacity) : capacity_(capacity) {}

  void push(T job) {
    std::unique_lock<std::mutex> lock(mutex_);
    notFull_.wait(lock, [&] { return jobs_.size() < capacity_; });
    jobs_.push_back(std::move(job));
    notEmpty_.notify_one();
  }

  std::optional<T> pop(std::stop_token stop) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (!notEmpty_.wait(lock, stop, [&] { return !jobs_.empty(); }))
      return std::nullopt;
    T job = std::move(jobs_.front());
    jobs_.pop_front();
    notFull_.notify_one();
    return job;
  }

private:
  std::mutex mutex_;
  std::condition_variable_any notFull_, notEmpty_;
  std::deque<T> jobs_;
  std::size_t capacity_;
};

static std::size_t renderThumbnail(const std::string &path) {
  std::size_t h = 0;
  for (char c : path)
    h = h * 131 + static_cast<unsigned char>(c);
  return h % 4096;
}

int main() {
  constexpr int kImages = 200;
  JobQueue<std::string> jobs(4);
  std::latch rendered(kImages);
  std::mutex bytesMutex;
  std::size_t bytes = 0;
  {
    std::vector<std::jthread> workers;
    for (int i = 0; i < 3; ++i)
      workers.emplace_back([&](std::stop_token stop) {
        while (std::optional<std::string> path = jobs.pop(stop)) {
          std::size_t size = renderThumbnail(*path);
          {
            std::lock_guard<std::mutex> lock(bytesMutex);
            bytes += size;
          }
          rendered.count_down();
        }
      });
    for (int i = 0; i < kImages; ++i)
      jobs.push("photos/img_" + std::to_string(i) + ".jpg");
    rendered.wait();
  } // ~jthread: request_stop() wakes each worker in pop, then join()
  std::printf("%d thumbnails, %zu bytes\n", kImages, bytes);
  return 0;
}
