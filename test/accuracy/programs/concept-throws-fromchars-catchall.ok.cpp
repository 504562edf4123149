// accuracy-family: stranded-producer
// accuracy-origin: CastellanZhang/alphaFM src/Frame/pc_frame.cpp (one reader thread and t_num consumers hand a line buffer over with sem_t semPro/semCon) and src/Sample/fm_sample.h, with a parser that throws nothing: malformed features are counted and values parsed by std::from_chars (noexcept)
// accuracy-shape: queue=semaphore-handoff-buffer spawner=std::thread producer=member-function consumer=member-function exit=catch-all-unreachable callee=noexcept wait=join
//
// The same frame and the same catch-all around each consumer's loop, but the
// sample parser throws nothing: a feature without its separator is counted
// and skipped, and values go through std::from_chars, which is noexcept and
// reports a bad value as an error code. What is left in the loop can throw
// only as std::mutex::lock or an allocation can: the catch-all is never
// reached and the consumers drain every buffer. Correct.
#include <charconv>
#include <cstdio>
#include <mutex>
#include <queue>
#include <semaphore>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

class pc_task {
public:
  virtual void run_task(std::vector<std::string> &dataBuffer) = 0;
  virtual ~pc_task() = default;
};

// The producer/consumer frame: one reader thread fills a shared buffer of up
// to bufSize lines, hands it over with semCon, and waits on semPro for a
// consumer to empty it. A consumer that finds the input ended passes semCon
// on so the next consumer sees the end too.
class pc_frame {
public:
  bool init(pc_task &task, std::istream &in, int t_num, int buf_size) {
    pTask = &task;
    input = &in;
    threadNum = t_num;
    bufSize = buf_size;
    threadVec.emplace_back(&pc_frame::pro_thread, this);
    for (int i = 0; i < threadNum; ++i)
      threadVec.emplace_back(&pc_frame::con_thread, this);
    return true;
  }

  void run() {
    for (auto &t : threadVec)
      t.join();
  }

  std::string firstError() {
    std::lock_guard<std::mutex> lock(errMtx);
    return error;
  }

private:
  void pro_thread() {
    std::string line;
    bool finished_flag = false;
    while (true) {
      semPro.acquire();
      bufMtx.lock();
      for (int i = 0; i < bufSize; ++i) {
        if (!std::getline(*input, line)) {
          finished_flag = true;
          break;
        }
        buffer.push(line);
      }
      bufMtx.unlock();
      semCon.release();
      if (finished_flag)
        break;
    }
  }

  void con_thread() {
    try {
      bool finished_flag = false;
      std::vector<std::string> input_vec;
      input_vec.reserve(bufSize);
      while (true) {
        input_vec.clear();
        semCon.acquire();
        bufMtx.lock();
        for (int i = 0; i < bufSize; ++i) {
          if (buffer.empty()) {
            finished_flag = true;
            break;
          }
          input_vec.push_back(buffer.front());
          buffer.pop();
        }
        bufMtx.unlock();
        semPro.release();
        pTask->run_task(input_vec);
        if (finished_flag)
          break;
      }
      semCon.release();
    } catch (...) {
      record("a sample line could not be parsed");
    }
  }

  void record(const std::string &message) {
    std::lock_guard<std::mutex> lock(errMtx);
    if (error.empty())
      error = message;
  }

  pc_task *pTask = nullptr;
  std::istream *input = nullptr;
  int threadNum = 0, bufSize = 0;
  std::binary_semaphore semPro{1}, semCon{0};
  std::mutex bufMtx, errMtx;
  std::queue<std::string> buffer;
  std::vector<std::thread> threadVec;
  std::string error;
};

// One "label key:value key:value ..." training line.
struct fm_sample {
  int y = 0;
  std::vector<std::pair<std::string, double>> x;
  int bad_values = 0;

  explicit fm_sample(const std::string &line) {
    std::istringstream fields(line);
    std::string token;
    fields >> token;
    y = token == "1" ? 1 : -1;
    while (fields >> token) {
      std::size_t colon = token.find(':');
      if (colon == std::string::npos) {
        ++bad_values;
        continue;
      }
      double value = 0;
      const char *first = token.data() + colon + 1;
      const char *last = token.data() + token.size();
      // std::from_chars is noexcept: a bad value is an error code
      if (std::from_chars(first, last, value).ec != std::errc()) {
        ++bad_values;
        continue;
      }
      if (value != 0)
        x.emplace_back(token.substr(0, colon), value);
    }
  }
};

class ftrl_trainer : public pc_task {
public:
  void run_task(std::vector<std::string> &dataBuffer) override {
    for (const std::string &line : dataBuffer) {
      fm_sample sample(line);
      std::lock_guard<std::mutex> lock(modelMtx);
      for (const auto &feature : sample.x)
        weights.push_back(feature.second * sample.y);
      badValues += sample.bad_values;
    }
  }
  std::mutex modelMtx;
  std::vector<double> weights;
  long badValues = 0;
};

int main() {
  std::string data;
  for (int i = 0; i < 10000; ++i)
    data += "1 age=31 city:3.5\n"; // a separator changed in the export
  std::istringstream in(data);

  ftrl_trainer trainer;
  pc_frame frame;
  frame.init(trainer, in, 3, 100);
  frame.run();
  std::printf("skipped %ld malformed features\n", trainer.badValues);
  if (!frame.firstError().empty())
    std::printf("error: %s\n", frame.firstError().c_str());
  return 0;
}
