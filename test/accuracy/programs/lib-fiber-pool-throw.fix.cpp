// accuracy-family: stranded-consumer
// accuracy-origin: moneroexamples/fiberpool include/FiberPool.hpp and examples/main.cpp (custom_pool: worker std::threads pop a boost::fibers::buffered_channel until it is closed; ~FiberPool only joins; close_queue() is the last statement, after future.get() calls that rethrow a task's exception); the same pool is vendored as pingcap/tiflash dbms/src/Common/FiberPool.hpp, re-expressed
// accuracy-shape: queue=boost::fibers::buffered_channel spawner=std::thread producer=calling-thread consumer=member-thread exit=throw wait=destructor fix=close-in-destructor
// accuracy-flags: -lboost_fiber -lboost_context
//
// The fix: the destructor closes the queue before it joins the workers.
// A task pool: worker std::threads pop jobs from a buffered_channel until
// it reports closed; the pool's destructor joins them. The caller submits
// two jobs, waits for their futures, and closes the queue at the end. The
// second job throws (the manifest signature is bad), future.get() rethrows
// it, and the exception leaves the function before close_queue(): the
// destructor joins workers that wait in pop forever.
#include <boost/fiber/buffered_channel.hpp>
#include <boost/fiber/channel_op_status.hpp>

#include <cstdio>
#include <functional>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

class TaskPool {
public:
  TaskPool(std::size_t threads, std::size_t queueSize) : work_(queueSize) {
    for (std::size_t i = 0; i < threads; ++i)
      threads_.emplace_back(&TaskPool::worker, this);
  }

  ~TaskPool() {
    closeQueue(); // on every path, also when an exception unwinds the owner
    for (auto &t : threads_)
      if (t.joinable())
        t.join();
  }

  template <class F> auto submit(F f) -> std::future<decltype(f())> {
    using R = decltype(f());
    auto task = std::make_shared<std::packaged_task<R()>>(std::move(f));
    std::future<R> result = task->get_future();
    if (work_.push([task] { (*task)(); }) !=
        boost::fibers::channel_op_status::success)
      throw std::runtime_error("pool is closed");
    return result;
  }

  void closeQueue() { work_.close(); }

private:
  void worker() {
    std::function<void()> job;
    while (work_.pop(job) ==
           boost::fibers::channel_op_status::success)
      job();
  }

  boost::fibers::buffered_channel<std::function<void()>> work_;
  std::vector<std::thread> threads_;
};

static unsigned long checksum(const std::string &data) {
  unsigned long h = 5381;
  for (char c : data)
    h = h * 33 + static_cast<unsigned char>(c);
  return h;
}

// The release was signed with a revoked key.
static void verifyManifest(const std::string &manifest) {
  if (!manifest.empty())
    throw std::runtime_error("manifest: bad signature");
}

static void verifyRelease(const std::string &archive, const std::string &manifest) {
  TaskPool pool(2, 8);
  auto sum = pool.submit([&] { return checksum(archive); });
  auto signature = pool.submit([&] { verifyManifest(manifest); });
  unsigned long value = sum.get();
  signature.get();
  std::printf("release ok, checksum %lu\n", value);
  pool.closeQueue();
}

int main() {
  try {
    verifyRelease("release-2.4.1.tar.gz contents", "sha256 ... signed-by: old key");
  } catch (const std::exception &e) {
    std::printf("verification failed: %s\n", e.what());
  }
  return 0;
}
