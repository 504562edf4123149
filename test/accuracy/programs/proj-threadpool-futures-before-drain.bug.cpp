// accuracy-family: join-before-drain
// accuracy-origin: jonatanjacobsson/ifcpipeline PRs #24 and #28 (commit b84f075: the parent waited on the child before reading the bounded result queue the child blocks on), re-expressed on the task pool of progschj/ThreadPool ThreadPool.h (9a42ec1: enqueue() returns a std::future, the destructor joins the workers)
// accuracy-shape: queue=cv-bounded-channel spawner=home-made-pool(std::function-tasks) producer=pool-task-helper-2 consumer=calling-thread exit=none wait=future-get
//
// A thumbnailer: every image becomes a task on a progschj-style thread pool
// (enqueue() stores a std::function and returns a future). Each task
// renders its thumbnail and sends it into a bounded channel that the
// calling thread writes to the archive. The caller first waits on every
// future -- so that a failed render surfaces before anything is written --
// and only then drains the channel. With more images than the channel
// holds, the tasks block in send() and the caller blocks in get().
#include <condition_variable>
#include <cstddef>
#include <cstdio>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

class ThreadPool {
public:
  explicit ThreadPool(std::size_t threads) {
    for (std::size_t i = 0; i < threads; ++i)
      workers_.emplace_back([this] {
        for (;;) {
          std::function<void()> task;
          {
            std::unique_lock<std::mutex> lock(queue_mutex_);
            condition_.wait(lock, [this] { return stop_ || !tasks_.empty(); });
            if (stop_ && tasks_.empty())
              return;
            task = std::move(tasks_.front());
            tasks_.pop_front();
          }
          task();
        }
      });
  }

  template <class F, class... Args>
  auto enqueue(F &&f, Args &&...args)
      -> std::future<std::invoke_result_t<F, Args...>> {
    using return_type = std::invoke_result_t<F, Args...>;
    auto task = std::make_shared<std::packaged_task<return_type()>>(
        std::bind(std::forward<F>(f), std::forward<Args>(args)...));
    std::future<return_type> res = task->get_future();
    {
      std::unique_lock<std::mutex> lock(queue_mutex_);
      if (stop_)
        throw std::runtime_error("enqueue on stopped ThreadPool");
      tasks_.emplace_back([task] { (*task)(); });
    }
    condition_.notify_one();
    return res;
  }

  ~ThreadPool() {
    {
      std::unique_lock<std::mutex> lock(queue_mutex_);
      stop_ = true;
    }
    condition_.notify_all();
    for (std::thread &worker : workers_)
      worker.join();
  }

private:
  std::vector<std::thread> workers_;
  std::deque<std::function<void()>> tasks_;
  std::mutex queue_mutex_;
  std::condition_variable condition_;
  bool stop_ = false;
};

template <typename T> class Channel {
public:
  explicit Channel(std::size_t capacity) : capacity_(capacity) {}
  void send(T value) {
    std::unique_lock<std::mutex> lock(mutex_);
    space_.wait(lock, [&] { return items_.size() < capacity_; });
    items_.push_back(std::move(value));
    ready_.notify_one();
  }
  bool recv(T &out) {
    std::unique_lock<std::mutex> lock(mutex_);
    ready_.wait(lock, [&] { return closed_ || !items_.empty(); });
    if (items_.empty())
      return false;
    out = std::move(items_.front());
    items_.pop_front();
    space_.notify_one();
    return true;
  }
  void close() {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
    ready_.notify_all();
  }

private:
  std::mutex mutex_;
  std::condition_variable space_, ready_;
  std::deque<T> items_;
  std::size_t capacity_;
  bool closed_ = false;
};

struct Thumbnail {
  std::string name;
  std::size_t bytes = 0;
};

static Thumbnail scaleDown(const std::string &path) {
  return Thumbnail{path.substr(path.rfind('/') + 1), 1000 + path.size()};
}

static void renderThumbnail(const std::string &path, Channel<Thumbnail> &out) {
  out.send(scaleDown(path));
}

class Archive {
public:
  void add(const Thumbnail &t) {
    ++count_;
    bytes_ += t.bytes;
  }
  void report() const {
    std::printf("archive: %zu thumbnails, %zu bytes\n", count_, bytes_);
  }

private:
  std::size_t count_ = 0, bytes_ = 0;
};

int main() {
  std::vector<std::string> images;
  for (int i = 0; i < 40; ++i)
    images.push_back("/photos/2024/IMG_" + std::to_string(1000 + i) + ".jpg");

  ThreadPool pool(4);
  Channel<Thumbnail> out(4);
  std::vector<std::future<void>> pending;
  for (const std::string &path : images)
    pending.push_back(pool.enqueue(renderThumbnail, path, std::ref(out)));

  for (auto &f : pending)
    f.get(); // accuracy: blocks
  out.close();

  Archive archive;
  Thumbnail t;
  while (out.recv(t))
    archive.add(t);
  archive.report();
  return 0;
}
