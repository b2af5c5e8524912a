"""Shared by the reference scripts: the reference workload's data and a PyTorch SimpleNN."""
import torch
from torch import nn


def data(n=300, std=0.7, skew=0.3):
    """Verbatim from the reference workload (simple_nn.py)."""
    per = n // 3
    centers = [torch.tensor([0.0, 0.0]), torch.tensor([3.0, 0.0]), torch.tensor([1.5, 2.5])]
    xs, ys = [], []
    for i, c in enumerate(centers):
        p = torch.randn(per, 2) * std + c
        if i:
            m = torch.tensor([[1.0, skew * (i - 1)], [skew * (i - 1), 1.0]])
            p = torch.mm(p - c, m) + c
        xs.append(p); ys.append(torch.full((per,), i, dtype=torch.long))
    return torch.cat(xs), torch.cat(ys)


class SimpleNN(nn.Module):
    """The PyTorch counterpart of nutorch-nn's SimpleNN: same parameter names."""

    def __init__(self, input_size, hidden_size, output_size):
        super().__init__()
        self.fc1 = nn.Linear(input_size, hidden_size)
        self.relu = nn.ReLU()
        self.fc2 = nn.Linear(hidden_size, output_size)

    def forward(self, x):
        return self.fc2(self.relu(self.fc1(x)))
