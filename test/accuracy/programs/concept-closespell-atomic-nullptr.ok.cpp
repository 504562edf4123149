// accuracy-family: stranded-consumer
// accuracy-origin: alexa/avs-device-sdk AVSCommon/Utils/include/AVSCommon/Utils/Threading/TaskQueue.h (std::atomic_bool m_shutdown; pop() returns nullptr once shut down; push() returns an invalid future after shutdown(); "shutdown() must be called by task enqueuers when no more tasks will be enqueued")
// accuracy-shape: queue=cv-hand-written close=atomic-flag-assign close-helper=shutdown pop-closed=null-pointer spawner=std::jthread producer=calling-thread consumer=lambda exit=return wait=jthread-destructor
//
// A directive sequencer submits one task per directive to a bounded task
// queue served by worker threads. The queue's close is a helper, shutdown(),
// that assigns `m_shutdown = true` on a std::atomic_bool the waits watch;
// pop() reports it by returning a null task. The sequencer meets a malformed
// directive, shuts the queue down and returns its error. Correct: the
// workers' pop() returns nullptr and they leave.
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

class TaskQueue {
public:
  explicit TaskQueue(std::size_t capacity)
      : m_capacity(capacity), m_shutdown(false) {}

  // Blocks while the queue is full. Once shut down the task is dropped and
  // an invalid future is returned.
  template <typename Task> auto push(Task task) -> std::future<decltype(task())> {
    using Result = decltype(task());
    auto packaged = std::make_shared<std::packaged_task<Result()>>(std::move(task));
    auto future = packaged->get_future();
    std::unique_lock<std::mutex> lock(m_queueMutex);
    m_queueChanged.wait(
        lock, [this] { return m_shutdown || m_queue.size() < m_capacity; });
    if (m_shutdown)
      return std::future<Result>();
    m_queue.emplace_back(new std::function<void()>([packaged] { (*packaged)(); }));
    lock.unlock();
    m_queueChanged.notify_all();
    return future;
  }

  // The next task, or nullptr once the queue expects no more tasks.
  std::unique_ptr<std::function<void()>> pop() {
    std::unique_lock<std::mutex> lock(m_queueMutex);
    m_queueChanged.wait(lock, [this] { return m_shutdown || !m_queue.empty(); });
    if (m_shutdown)
      return nullptr;
    std::unique_ptr<std::function<void()>> task = std::move(m_queue.front());
    m_queue.pop_front();
    lock.unlock();
    m_queueChanged.notify_all();
    return task;
  }

  // Drops the outstanding tasks and refuses new ones.
  void shutdown() {
    {
      std::lock_guard<std::mutex> lock(m_queueMutex);
      m_queue.clear();
      m_shutdown = true;
    }
    m_queueChanged.notify_all();
  }

  bool isShutdown() const { return m_shutdown; }

private:
  std::size_t m_capacity;
  std::deque<std::unique_ptr<std::function<void()>>> m_queue;
  std::condition_variable m_queueChanged;
  std::mutex m_queueMutex;
  std::atomic_bool m_shutdown;
};

struct Directive {
  std::string name;
  int payload;
};

static bool wellFormed(const Directive &d) { return !d.name.empty(); }

static int handle(const Directive &d) { return d.payload * 2; }

// Runs on the calling thread; the workers are the consumers.
static int sequence(const std::vector<Directive> &directives) {
  TaskQueue queue(3);
  std::vector<std::jthread> workers;
  for (int i = 0; i < 2; ++i)
    workers.emplace_back([&queue] {
      while (auto task = queue.pop())
        (*task)();
    });

  std::vector<std::future<int>> results;
  for (std::size_t i = 0; i < directives.size(); ++i) {
    if (!wellFormed(directives[i])) {
      std::printf("error: directive %zu is malformed\n", i);
      queue.shutdown();
      return -1;
    }
    Directive d = directives[i];
    results.push_back(queue.push([d] { return handle(d); }));
  }
  int total = 0;
  for (auto &r : results)
    total += r.get();
  queue.shutdown();
  return total;
}

int main() {
  std::vector<Directive> directives;
  for (int i = 0; i < 100; ++i)
    directives.push_back({i == 37 ? "" : "Speak", i});
  return sequence(directives) == -1 ? 0 : 1;
}
