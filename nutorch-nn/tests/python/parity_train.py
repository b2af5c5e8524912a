"""Reference for the training parity test.

Usage: parity_train.py OUT.safetensors [epochs] [record_every]
Seeds 42, draws the reference blobs (n=300), then a 2-20-3 SimpleNN with PyTorch's default
init, and trains it full batch with torch.optim.SGD(lr=0.1) and F.cross_entropy, recording
loss.item() at epochs 0, record_every, ... (before that epoch's step). Writes the data, the
initial and final parameters, the recorded losses and the final accuracy.
"""
import sys
import torch
import torch.nn.functional as F
from safetensors.torch import save_file
from common import data, SimpleNN

out = sys.argv[1]
epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
record_every = int(sys.argv[3]) if len(sys.argv) > 3 else 100
torch.set_num_threads(1)
torch.manual_seed(42)
X, y = data(300)
model = SimpleNN(2, 20, 3)
result = {"X": X, "y": y}
result.update({"init." + k: v.detach().clone() for k, v in model.state_dict().items()})
opt = torch.optim.SGD(model.parameters(), lr=0.1)
epochs_recorded, losses = [], []
for e in range(epochs):
    loss = F.cross_entropy(model(X), y)
    if e % record_every == 0:
        epochs_recorded.append(e)
        losses.append(loss.item())
    opt.zero_grad()
    loss.backward()
    opt.step()
with torch.no_grad():
    acc = (model(X).argmax(1) == y).double().mean()
result.update({"final." + k: v.detach().clone() for k, v in model.state_dict().items()})
result["epochs"] = torch.tensor(epochs_recorded, dtype=torch.long)
result["losses"] = torch.tensor(losses, dtype=torch.float64)
result["accuracy"] = acc.reshape(1)
save_file(result, out)
