// accuracy-family: join-before-drain
// accuracy-origin: jonatanjacobsson/ifcpipeline PR #28 (commit e9c44da: the join-before-drain of _run_in_spawn_isolation copied into ifccsv-worker, ifc5d-worker and others; Python), re-expressed in C++ with a pool whose destructor joins
// accuracy-shape: queue=cv-hand-written queue-api=send/receive capacity=2 spawner=home-made-pool producer=pool-task consumer=calling-thread exit=none wait=pool-destructor-before-drain
//
// The CSV export worker exports several models at once: it submits one
// export per model to a small worker pool; each export sends its table
// through a bounded result channel. The pool lives in an inner scope, and
// its destructor finishes every submitted task and joins the threads; the
// results are read after that scope. Two results fit in the channel; the
// third export blocks in send, and the destructor never returns.
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

template <typename T> class bounded_channel {
public:
  explicit bounded_channel(std::size_t cap) : cap_(cap) {}
  void send(T v) {
    std::unique_lock<std::mutex> lk(m_);
    cv_.wait(lk, [&] { return q_.size() < cap_; });
    q_.push_back(std::move(v));
    cv_.notify_all();
  }
  T receive() {
    std::unique_lock<std::mutex> lk(m_);
    cv_.wait(lk, [&] { return !q_.empty(); });
    T v = std::move(q_.front());
    q_.pop_front();
    cv_.notify_all();
    return v;
  }

private:
  std::mutex m_;
  std::condition_variable cv_;
  std::deque<T> q_;
  std::size_t cap_;
};

// Runs the submitted tasks; the destructor runs what is left, then joins.
class worker_pool {
public:
  explicit worker_pool(int threads) {
    for (int i = 0; i < threads; ++i)
      threads_.emplace_back([this] {
        while (true) {
          std::function<void()> task;
          {
            std::unique_lock<std::mutex> lk(m_);
            cv_.wait(lk, [&] { return stopping_ || !tasks_.empty(); });
            if (tasks_.empty())
              return;
            task = std::move(tasks_.front());
            tasks_.pop_front();
          }
          task();
        }
      });
  }
  void submit(std::function<void()> task) {
    std::lock_guard<std::mutex> lk(m_);
    tasks_.push_back(std::move(task));
    cv_.notify_one();
  }
  ~worker_pool() {
    {
      std::lock_guard<std::mutex> lk(m_);
      stopping_ = true;
      cv_.notify_all();
    }
    for (auto &t : threads_)
      t.join();
  }

private:
  std::mutex m_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

struct csv_table {
  std::string model;
  std::vector<std::string> rows;
};

static csv_table export_csv(const std::string &model, int elements) {
  csv_table t{model, {"GlobalId,Class,Name,NetVolume"}};
  for (int i = 0; i < elements; ++i)
    t.rows.push_back(model + "-" + std::to_string(i) + ",IfcWall,Wall " + std::to_string(i) + ",1.5");
  return t;
}

static std::size_t export_models(const std::vector<std::string> &models) {
  bounded_channel<csv_table> results(2);
  {
    worker_pool pool(2);
    for (std::size_t i = 0; i < models.size(); ++i)
      pool.submit([&results, model = models[i], i] { results.send(export_csv(model, 100 + 10 * int(i))); });
  } // accuracy: blocks
  std::size_t rows = 0;
  for (std::size_t i = 0; i < models.size(); ++i)
    rows += results.receive().rows.size();
  return rows;
}

int main() {
  std::vector<std::string> models = {"ARK", "RIB", "RIV", "RIE", "LARK", "SPR"};
  std::printf("ifccsv: %zu rows exported\n", export_models(models));
  return 0;
}
