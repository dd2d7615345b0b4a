"""The UvA Deep Learning course's PyTorch tutorials (Phillip Lippe) 2 "Introduction to
PyTorch", 3 "Activation Functions" and 4 "Optimization and Initialization", run twice:
with torch and with ``import autograd as torch`` (its `nn`, `optim` and `utils.data`
are gradwork's), seeded alike, in float64 and in float32, on small synthetic data
instead of Fashion-MNIST (7x7 images, smaller hidden layers). What the tutorials print
(tensors, accuracies, gradient and activation variances, dead-neuron counts, the
optimizers' paths) must agree.

Spellings that differ from the tutorials, because `Tensor.data` is an ndarray here
(torch's is a Tensor) and `Tensor(*sizes)` is refused: ``torch.Tensor(2, 3, 4)`` is
``torch.empty(2, 3, 4)``; ``param.data.fill_(c)``, ``param.data.normal_(std=s)`` and
``param.data.uniform_(-b, b)`` are the same in-place methods on the parameter under
`no_grad`; ``weights.data.detach()`` is ``weights.detach()``; ``params.grad.data.view(-1)``
and ``param.detach().view(-1)`` are ``reshape(-1)`` (nn.Linear's weight is stored
column-major here, so ``view(-1)`` of it or of its gradient raises, as for a transposed
torch tensor);
``x.std()`` and ``x.var()`` are ``std(correction=1)`` / ``var(correction=1)`` (without
arguments they are numpy's, ddof=0). Tutorial 2 makes its data float32 and its labels
``.float()``; in the float64 run they are of the default dtype (torch's
BCEWithLogitsLoss of a float64 input and a float32 target is float32).
"""

from __future__ import annotations

import copy
import json
import math
import os
import tempfile
import types
from typing import Any

import numpy as np
import pytest

pytest.importorskip("torch")

from tests.test_d2l_vs_torch import DTYPES, assert_same, run


def intro_to_pytorch(torch: types.ModuleType) -> dict[str, Any]:
    """Tutorial 2: tensor basics, the XOR dataset, a classifier trained with SGD, its
    state_dict saved and loaded, evaluation and the decision surface."""
    out: dict[str, Any] = {}
    nn, data = torch.nn, torch.utils.data
    float_ = torch.get_default_dtype()  # the tutorial's torch.float32
    torch.manual_seed(42)
    out["empty shape"] = tuple(torch.empty(2, 3, 4).shape)
    out["tensor"] = torch.tensor([[1, 2], [3, 4]])
    x = torch.rand(2, 3, 4)
    dim1, dim2, dim3 = x.size()
    out["rand"], out["size"] = x, [tuple(x.shape), tuple(x.size()), dim1, dim2, dim3]
    out["from_numpy"] = torch.from_numpy(np.array([[1, 2], [3, 4]]))
    out["numpy"] = torch.arange(4).numpy()
    x1, x2 = torch.rand(2, 3), torch.rand(2, 3)
    out["y"] = x1 + x2
    x2.add_(x1)
    out["x2"] = x2
    x = torch.arange(6).view(2, 3)
    out["view"], out["permute"] = x, x.permute(1, 0)
    W = torch.arange(9).view(3, 3)
    out["h"] = torch.matmul(x, W)
    x = torch.arange(12).view(3, 4)
    out["indexing"] = [x[:, 1], x[0], x[:2, -1], x[1:3, :]]
    x = torch.ones((3,))
    out["requires_grad"] = [x.requires_grad, x.requires_grad_(True).requires_grad]
    x = torch.arange(3, dtype=float_, requires_grad=True)
    a = x + 2
    b = a**2
    c = b + 3
    y = c.mean()
    y.backward()
    out["Y"], out["x.grad"] = y, x.grad
    device = torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")
    out["device"] = str(torch.zeros(2, 3).to(device).device)

    class SimpleClassifier(nn.Module):
        def __init__(self, num_inputs, num_hidden, num_outputs):
            super().__init__()
            self.linear1 = nn.Linear(num_inputs, num_hidden)
            self.act_fn = nn.Tanh()
            self.linear2 = nn.Linear(num_hidden, num_outputs)

        def forward(self, x):
            x = self.linear1(x)
            x = self.act_fn(x)
            x = self.linear2(x)
            return x

    model = SimpleClassifier(num_inputs=2, num_hidden=4, num_outputs=1)
    out["model"] = str(model)
    out["params"] = [(name, tuple(param.shape)) for name, param in model.named_parameters()]

    class XORDataset(data.Dataset):
        def __init__(self, size, std=0.1):
            super().__init__()
            self.size = size
            self.std = std
            self.generate_continuous_xor()

        def generate_continuous_xor(self):
            data = torch.randint(low=0, high=2, size=(self.size, 2), dtype=float_)
            label = (data.sum(dim=1) == 1).to(torch.long)
            data += self.std * torch.randn(data.shape)
            self.data = data
            self.label = label

        def __len__(self):
            return self.size

        def __getitem__(self, idx):
            data_point = self.data[idx]
            data_label = self.label[idx]
            return data_point, data_label

    dataset = XORDataset(size=200)
    out["len"], out["dataset[0]"] = len(dataset), list(dataset[0])
    data_loader = data.DataLoader(dataset, batch_size=8, shuffle=True)
    data_inputs, data_labels = next(iter(data_loader))
    out["batch"] = [data_inputs, data_labels]

    loss_module = nn.BCEWithLogitsLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    train_dataset = XORDataset(size=500)
    train_data_loader = data.DataLoader(train_dataset, batch_size=128, shuffle=True)
    model.to(device)
    losses = out.setdefault("losses", [])

    def train_model(model, optimizer, data_loader, loss_module, num_epochs=10):
        model.train()
        for _epoch in range(num_epochs):
            for data_inputs, data_labels in data_loader:
                data_inputs = data_inputs.to(device)
                data_labels = data_labels.to(device)
                preds = model(data_inputs)
                preds = preds.squeeze(dim=1)
                loss = loss_module(preds, data_labels.to(float_))  # data_labels.float()
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                losses.append(loss.item())

    train_model(model, optimizer, train_data_loader, loss_module)
    state_dict = model.state_dict()
    out["state_dict"] = [list(state_dict), [v.clone() for v in state_dict.values()]]
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "our_model.tar")
        torch.save(state_dict, path)
        state_dict = torch.load(path)
    new_model = SimpleClassifier(num_inputs=2, num_hidden=4, num_outputs=1)
    new_model.load_state_dict(state_dict)
    out["loaded"] = list(new_model.state_dict().values())

    test_dataset = XORDataset(size=500)
    test_data_loader = data.DataLoader(test_dataset, batch_size=128, shuffle=False, drop_last=False)

    def eval_model(model, data_loader):
        model.eval()
        true_preds, num_preds = 0.0, 0.0
        with torch.no_grad():
            for data_inputs, data_labels in data_loader:
                data_inputs, data_labels = data_inputs.to(device), data_labels.to(device)
                preds = model(data_inputs)
                preds = preds.squeeze(dim=1)
                preds = torch.sigmoid(preds)
                pred_labels = (preds >= 0.5).long()
                true_preds += (pred_labels == data_labels).sum()
                num_preds += data_labels.shape[0]
        acc = true_preds / num_preds
        out["acc"] = [acc, str(acc.dtype).replace("torch.", "")]
        out["printed acc"] = f"Accuracy of the model: {100.0 * acc:4.2f}%"

    eval_model(model, test_data_loader)

    @torch.no_grad()
    def visualize_classification(model, data, label):
        data_0 = data[label == 0]
        data_1 = data[label == 1]
        c0 = torch.Tensor([0.12, 0.47, 0.71, 1.0])  # to_rgba("C0")
        c1 = torch.Tensor([1.0, 0.5, 0.05, 1.0])
        x1 = torch.arange(-0.5, 1.5, step=0.1, device=device)
        x2 = torch.arange(-0.5, 1.5, step=0.1, device=device)
        xx1, xx2 = torch.meshgrid(x1, x2, indexing="ij")
        model_inputs = torch.stack([xx1, xx2], dim=-1)
        preds = model(model_inputs)
        preds = torch.sigmoid(preds)
        output_image = (1 - preds) * c0[None, None] + preds * c1[None, None]
        output_image = output_image.cpu().numpy()
        return [data_0, data_1, output_image]

    out["surface"] = visualize_classification(model, dataset.data, dataset.label)
    return out


def activation_functions(torch: types.ModuleType) -> dict[str, Any]:
    """Tutorial 3: hand-written activations and their gradients, the BaseNetwork's
    gradients per layer, training with a saved and reloaded best model, activations,
    and dead ReLU neurons."""
    out: dict[str, Any] = {}
    nn, F, data, optim = torch.nn, torch.nn.functional, torch.utils.data, torch.optim

    def set_seed(seed):
        np.random.seed(seed)
        torch.manual_seed(seed)
        if torch.cuda.is_available():
            torch.cuda.manual_seed(seed)
            torch.cuda.manual_seed_all(seed)

    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False
    device = torch.device("cpu") if not torch.cuda.is_available() else torch.device("cuda:0")

    class ActivationFunction(nn.Module):
        def __init__(self):
            super().__init__()
            self.name = self.__class__.__name__
            self.config = {"name": self.name}

    class Sigmoid(ActivationFunction):
        def forward(self, x):
            return 1 / (1 + torch.exp(-x))

    class Tanh(ActivationFunction):
        def forward(self, x):
            x_exp, neg_x_exp = torch.exp(x), torch.exp(-x)
            return (x_exp - neg_x_exp) / (x_exp + neg_x_exp)

    class ReLU(ActivationFunction):
        def forward(self, x):
            return x * (x > 0).float()

    class LeakyReLU(ActivationFunction):
        def __init__(self, alpha=0.1):
            super().__init__()
            self.config["alpha"] = alpha

        def forward(self, x):
            return torch.where(x > 0, x, self.config["alpha"] * x)

    class ELU(ActivationFunction):
        def forward(self, x):
            return torch.where(x > 0, x, torch.exp(x) - 1)

    class Swish(ActivationFunction):
        def forward(self, x):
            return x * torch.sigmoid(x)

    act_fn_by_name = {
        "sigmoid": Sigmoid,
        "tanh": Tanh,
        "relu": ReLU,
        "leakyrelu": LeakyReLU,
        "elu": ELU,
        "swish": Swish,
    }

    def get_grads(act_fn, x):
        x = x.clone().requires_grad_()
        out = act_fn(x)
        out.sum().backward()
        return x.grad

    x = torch.linspace(-5, 5, 1000)
    for act_fn in [act_fn() for act_fn in act_fn_by_name.values()]:
        y, y_grads = act_fn(x), get_grads(act_fn, x)
        out[f"{act_fn.name}"] = [repr(act_fn), y.cpu().numpy(), y_grads.cpu().numpy()]

    class BaseNetwork(nn.Module):
        def __init__(self, act_fn, input_size=49, num_classes=10, hidden_sizes=(32, 16, 16, 8)):
            super().__init__()
            layers = []
            layer_sizes = [input_size, *hidden_sizes]
            for layer_index in range(1, len(layer_sizes)):
                layers += [
                    nn.Linear(layer_sizes[layer_index - 1], layer_sizes[layer_index]),
                    act_fn,
                ]
            layers += [nn.Linear(layer_sizes[-1], num_classes)]
            self.layers = nn.Sequential(*layers)
            self.config = {
                "act_fn": act_fn.config,
                "input_size": input_size,
                "num_classes": num_classes,
                "hidden_sizes": hidden_sizes,
            }

        def forward(self, x):
            x = x.view(x.size(0), -1)
            out = self.layers(x)
            return out

    def _get_files(model_path, model_name):
        base = os.path.join(model_path, model_name)
        return base + ".config", base + ".tar"

    def load_model(model_path, model_name, net=None):
        config_file, model_file = _get_files(model_path, model_name)
        with open(config_file) as f:
            config_dict = json.load(f)
        if net is None:
            act_fn_name = config_dict["act_fn"].pop("name").lower()
            act_fn = act_fn_by_name[act_fn_name](**config_dict.pop("act_fn"))
            net = BaseNetwork(act_fn=act_fn, **config_dict)
        net.load_state_dict(torch.load(model_file, map_location=device))
        return net

    def save_model(model, model_path, model_name):
        config_dict = model.config
        os.makedirs(model_path, exist_ok=True)
        config_file, model_file = _get_files(model_path, model_name)
        with open(config_file, "w") as f:
            json.dump(config_dict, f)
        torch.save(model.state_dict(), model_file)

    torch.manual_seed(1)  # Fashion-MNIST, ToTensor and Normalize((0.5,), (0.5,))
    images, labels = (torch.rand(300, 1, 7, 7) - 0.5) / 0.5, torch.randint(0, 10, (300,))
    train_set, val_set = data.random_split(data.TensorDataset(images, labels), [240, 60])
    test_images = (torch.rand(100, 1, 7, 7) - 0.5) / 0.5
    test_set = data.TensorDataset(test_images, torch.randint(0, 10, (100,)))
    train_loader = data.DataLoader(train_set, batch_size=64, shuffle=True, drop_last=False)
    val_loader = data.DataLoader(val_set, batch_size=64, shuffle=False, drop_last=False)
    test_loader = data.DataLoader(test_set, batch_size=64, shuffle=False, drop_last=False)

    def visualize_gradients(net, color="C0"):
        net.eval()
        small_loader = data.DataLoader(train_set, batch_size=64, shuffle=False)
        imgs, labels = next(iter(small_loader))
        imgs, labels = imgs.to(device), labels.to(device)
        net.zero_grad()
        preds = net(imgs)
        loss = F.cross_entropy(preds, labels)
        loss.backward()
        grads = {
            name: params.grad.reshape(-1).cpu().clone().numpy()
            for name, params in net.named_parameters()
            if "weight" in name
        }
        net.zero_grad()
        return grads

    for i, act_fn_name in enumerate(act_fn_by_name):
        set_seed(42)
        act_fn = act_fn_by_name[act_fn_name]()
        net_actfn = BaseNetwork(act_fn=act_fn).to(device)
        grads = visualize_gradients(net_actfn, color=f"C{i}")
        out[f"gradients {act_fn_name}"] = [list(grads), list(grads.values())]

    def test_model(net, data_loader):
        net.eval()
        true_preds, count = 0.0, 0
        for imgs, labels in data_loader:
            imgs, labels = imgs.to(device), labels.to(device)
            with torch.no_grad():
                preds = net(imgs).argmax(dim=-1)
                true_preds += (preds == labels).sum().item()
                count += labels.shape[0]
        test_acc = true_preds / count
        return test_acc

    def train_model(net, model_name, checkpoints, max_epochs=3, patience=7, batch_size=64):
        printed = []
        optimizer = optim.SGD(net.parameters(), lr=1e-2, momentum=0.9)
        loss_module = nn.CrossEntropyLoss()
        train_loader_local = data.DataLoader(
            train_set, batch_size=batch_size, shuffle=True, drop_last=True, pin_memory=False
        )
        val_scores = []
        best_val_epoch = -1
        for epoch in range(max_epochs):
            net.train()
            true_preds, count = 0.0, 0
            for imgs, labels in train_loader_local:
                imgs, labels = imgs.to(device), labels.to(device)
                optimizer.zero_grad()
                preds = net(imgs)
                loss = loss_module(preds, labels)
                loss.backward()
                optimizer.step()
                true_preds += (preds.argmax(dim=-1) == labels).sum()
                count += labels.shape[0]
            train_acc = true_preds / count
            val_acc = test_model(net, val_loader)
            val_scores.append(val_acc)
            printed.append(
                f"[Epoch {epoch + 1:2d}] Training accuracy: {train_acc * 100.0:05.2f}%, "
                f"Validation accuracy: {val_acc * 100.0:05.2f}%"
            )
            if len(val_scores) == 1 or val_acc > val_scores[best_val_epoch]:
                printed.append("\t   (New best performance, saving model...)")
                save_model(net, checkpoints, model_name)
                best_val_epoch = epoch
            elif best_val_epoch <= epoch - patience:
                break
        load_model(checkpoints, model_name, net=net)
        test_acc = test_model(net, test_loader)
        printed.append((f" Test accuracy: {test_acc * 100.0:4.2f}% ").center(50, "="))
        return printed

    with tempfile.TemporaryDirectory() as checkpoints:
        for act_fn_name in act_fn_by_name:
            set_seed(42)
            net_actfn = BaseNetwork(act_fn=act_fn_by_name[act_fn_name]()).to(device)
            name = f"FashionMNIST_{act_fn_name}"
            out[f"training {act_fn_name}"] = train_model(net_actfn, name, checkpoints)
            reloaded = load_model(checkpoints, name)
            out[f"reloaded {act_fn_name}"] = [
                reloaded.config == net_actfn.config,
                test_model(reloaded, test_loader),
            ]

    def visualize_activations(net, color="C0"):
        activations = {}
        net.eval()
        small_loader = data.DataLoader(train_set, batch_size=128)
        imgs, _labels = next(iter(small_loader))
        with torch.no_grad():
            layer_index = 0
            imgs = imgs.to(device)
            imgs = imgs.view(imgs.size(0), -1)
            for layer_index, layer in enumerate(net.layers[:-1]):
                imgs = layer(imgs)
                if isinstance(layer, nn.Linear):
                    activations[layer_index] = imgs.view(-1).cpu().numpy()
        return activations

    for act_fn_name in act_fn_by_name:
        set_seed(42)
        net_actfn = BaseNetwork(act_fn=act_fn_by_name[act_fn_name]()).to(device)
        activations = visualize_activations(net_actfn)
        out[f"activations {act_fn_name}"] = [list(activations), list(activations.values())]

    @torch.no_grad()
    def measure_number_dead_neurons(net):
        neurons_dead = [
            torch.ones(layer.weight.shape[0], device=device, dtype=torch.bool)
            for layer in net.layers[:-1]
            if isinstance(layer, nn.Linear)
        ]
        net.eval()
        for imgs, _labels in train_loader:
            layer_index = 0
            imgs = imgs.to(device)
            imgs = imgs.view(imgs.size(0), -1)
            for layer in net.layers[:-1]:
                imgs = layer(imgs)
                if isinstance(layer, ActivationFunction):
                    neurons_dead[layer_index] = torch.logical_and(
                        neurons_dead[layer_index], (imgs == 0).all(dim=0)
                    )
                    layer_index += 1
        number_neurons_dead = [t.sum().item() for t in neurons_dead]
        percentages = [
            f"{(100.0 * num_dead / tens.shape[0]):4.2f}%"
            for tens, num_dead in zip(neurons_dead, number_neurons_dead)
        ]
        return [f"Number of dead neurons: {number_neurons_dead}", ", ".join(percentages)]

    set_seed(42)
    out["dead"] = measure_number_dead_neurons(BaseNetwork(act_fn=ReLU()).to(device))
    set_seed(42)
    deep = BaseNetwork(act_fn=ReLU(), hidden_sizes=[32] * 9 + [16] * 9).to(device)
    out["dead deep"] = measure_number_dead_neurons(deep)
    return out


def optimization_and_initialization(torch: types.ModuleType) -> dict[str, Any]:
    """Tutorial 4: initializations written with in-place draws, the variance of the
    gradients and activations they give, the hand-written SGD, SGD with momentum and
    Adam (both spellings of their updates) training a network from one saved state, and
    their paths on the pathological-curvature and steep-optimum surfaces."""
    out: dict[str, Any] = {}
    nn, F, data = torch.nn, torch.nn.functional, torch.utils.data
    device = torch.device("cpu")

    def set_seed(seed):
        np.random.seed(seed)
        torch.manual_seed(seed)

    class BaseNetwork(nn.Module):
        def __init__(self, act_fn, input_size=49, num_classes=10, hidden_sizes=(32, 16, 16, 8)):
            super().__init__()
            layers = []
            layer_sizes = [input_size, *hidden_sizes]
            for layer_index in range(1, len(layer_sizes)):
                layers += [
                    nn.Linear(layer_sizes[layer_index - 1], layer_sizes[layer_index]),
                    act_fn,
                ]
            layers += [nn.Linear(layer_sizes[-1], num_classes)]
            self.layers = nn.ModuleList(layers)
            self.config = {"act_fn": type(act_fn).__name__, "hidden_sizes": hidden_sizes}

        def forward(self, x):
            x = x.view(x.size(0), -1)
            for l in self.layers:
                x = l(x)
            return x

    class Identity(nn.Module):
        def forward(self, x):
            return x

    torch.manual_seed(1)
    images = (torch.rand(200, 1, 7, 7) - 0.5) / 0.5
    train_set = data.TensorDataset(images, torch.randint(0, 10, (200,)))
    out["statistics"] = [
        images.mean().item(),
        images.std(correction=1).item(),  # images.std()
        torch.std(images, correction=1).item(),
        images.var(correction=1).item(),
        images.mean(dim=[0, 2, 3]),
        images.std(dim=[0, 2, 3]),
    ]

    def weight_distribution(model):
        weights = {}
        for name, param in model.named_parameters():
            if name.endswith(".bias"):
                continue
            key_name = f"Layer {name.split('.')[1]}"
            weights[key_name] = param.detach().reshape(-1).cpu().numpy().copy()
        return weights

    def gradient_variances(model):
        model.train()
        small_loader = data.DataLoader(train_set, batch_size=128, shuffle=False)
        imgs, labels = next(iter(small_loader))
        imgs, labels = imgs.to(device), labels.to(device)
        model.zero_grad()
        preds = model(imgs)
        loss = F.cross_entropy(preds, labels)
        loss.backward()
        grads = {
            name: params.grad.reshape(-1).cpu().clone().numpy()
            for name, params in model.named_parameters()
            if "weight" in name
        }
        model.zero_grad()
        return [(key, float(np.var(grads[key]))) for key in sorted(grads.keys())]

    def activation_variances(model):
        model.eval()
        small_loader = data.DataLoader(train_set, batch_size=128, shuffle=False)
        imgs, _labels = next(iter(small_loader))
        feats = imgs.view(imgs.shape[0], -1)
        activations = {}
        with torch.no_grad():
            for layer_index, layer in enumerate(model.layers):
                feats = layer(feats)
                if isinstance(layer, nn.Linear):
                    activations[f"Layer {layer_index}"] = feats.view(-1).detach().cpu().numpy()
        return [(key, float(np.var(activations[key]))) for key in sorted(activations.keys())]

    @torch.no_grad()
    def const_init(model, fill=0.0):
        for _name, param in model.named_parameters():
            param.fill_(fill)

    @torch.no_grad()
    def constant_variance_init(model, std=0.01):
        for _name, param in model.named_parameters():
            param.normal_(std=std)

    @torch.no_grad()
    def xavier_init(model):
        for name, param in model.named_parameters():
            if name.endswith(".bias"):
                param.fill_(0)
            else:
                bound = math.sqrt(6) / math.sqrt(param.shape[0] + param.shape[1])
                param.uniform_(-bound, bound)

    @torch.no_grad()
    def kaiming_init(model):
        for name, param in model.named_parameters():
            if name.endswith(".bias"):
                param.fill_(0.0)
            elif name.startswith("layers.0"):
                param.normal_(0, 1 / math.sqrt(param.shape[1]))
            else:
                param.normal_(0, math.sqrt(2) / math.sqrt(param.shape[1]))

    set_seed(42)
    model = BaseNetwork(act_fn=Identity()).to(device)
    const_init(model, fill=0.005)
    out["const"] = [list(weight_distribution(model).values()), activation_variances(model)]
    for init, name in [
        (lambda m: constant_variance_init(m, std=0.01), "std 0.01"),
        (lambda m: constant_variance_init(m, std=0.1), "std 0.1"),
        (xavier_init, "xavier"),
    ]:
        init(model)
        out[name] = [
            list(weight_distribution(model).values()),
            gradient_variances(model),
            activation_variances(model),
        ]
    for act_fn, init in [(nn.Tanh(), xavier_init), (nn.ReLU(), kaiming_init)]:
        set_seed(42)
        model = BaseNetwork(act_fn=act_fn).to(device)
        init(model)
        out[f"{act_fn} {init.__name__}"] = [gradient_variances(model), activation_variances(model)]

    class OptimizerTemplate:
        def __init__(self, params, lr):
            self.params = list(params)
            self.lr = lr

        def zero_grad(self):
            for p in self.params:
                if p.grad is not None:
                    p.grad.detach_()
                    p.grad.zero_()

        @torch.no_grad()
        def step(self):
            for p in self.params:
                if p.grad is None:
                    continue
                self.update_param(p)

        def update_param(self, p):
            raise NotImplementedError

    class SGD(OptimizerTemplate):
        def update_param(self, p):
            p_update = -self.lr * p.grad
            p.add_(p_update)

    class SGDMomentum(OptimizerTemplate):
        def __init__(self, params, lr, momentum=0.0):
            super().__init__(params, lr)
            self.momentum = momentum
            self.param_momentum = {p: torch.zeros_like(p.data) for p in self.params}

        def update_param(self, p):
            self.param_momentum[p] = (1 - self.momentum) * p.grad + self.momentum * (
                self.param_momentum[p]
            )
            p_update = -self.lr * self.param_momentum[p]
            p.add_(p_update)

    class SGDMomentumInPlace(SGDMomentum):
        def update_param(self, p):
            self.param_momentum[p].mul_(self.momentum).add_((1 - self.momentum) * p.grad)
            p.add_(-self.lr * self.param_momentum[p])

    class Adam(OptimizerTemplate):
        def __init__(self, params, lr, beta1=0.9, beta2=0.999, eps=1e-8):
            super().__init__(params, lr)
            self.beta1 = beta1
            self.beta2 = beta2
            self.eps = eps
            self.param_step = {p: 0 for p in self.params}
            self.param_momentum = {p: torch.zeros_like(p.data) for p in self.params}
            self.param_2nd_momentum = {p: torch.zeros_like(p.data) for p in self.params}

        def update_param(self, p):
            self.param_step[p] += 1
            self.param_momentum[p] = (1 - self.beta1) * p.grad + self.beta1 * (
                self.param_momentum[p]
            )
            self.param_2nd_momentum[p] = (1 - self.beta2) * (p.grad) ** 2 + self.beta2 * (
                self.param_2nd_momentum[p]
            )
            bias_correction_1 = 1 - self.beta1 ** self.param_step[p]
            bias_correction_2 = 1 - self.beta2 ** self.param_step[p]
            p_2nd_mom = self.param_2nd_momentum[p] / bias_correction_2
            p_mom = self.param_momentum[p] / bias_correction_1
            p_lr = self.lr / (torch.sqrt(p_2nd_mom) + self.eps)
            p_update = -p_lr * p_mom
            p.add_(p_update)

    class AdamInPlace(Adam):
        def update_param(self, p):
            self.param_step[p] += 1
            mom, mom2 = self.param_momentum[p], self.param_2nd_momentum[p]
            mom.mul_(self.beta1).add_((1 - self.beta1) * p.grad)
            mom2.mul_(self.beta2).add_((1 - self.beta2) * p.grad**2)
            p_mom = mom / (1 - self.beta1 ** self.param_step[p])
            p_2mom = mom2 / (1 - self.beta2 ** self.param_step[p])
            p_update = self.lr * p_mom / (torch.sqrt(p_2mom) + self.eps)
            p.add_(-p_update)

    def train_model(net, optim_func, max_epochs=2, batch_size=32):
        optimizer = optim_func(net.parameters())
        loss_module = nn.CrossEntropyLoss()
        loader = data.DataLoader(train_set, batch_size=batch_size, shuffle=True, drop_last=True)
        losses, scores = [], []
        for _epoch in range(max_epochs):
            net.train()
            true_preds, count = 0.0, 0
            for imgs, labels in loader:
                optimizer.zero_grad()
                preds = net(imgs)
                loss = loss_module(preds, labels)
                loss.backward()
                optimizer.step()
                true_preds += (preds.argmax(dim=-1) == labels).sum().item()
                count += labels.shape[0]
                losses.append(loss.item())
            scores.append(true_preds / count)
        return [losses, scores]

    set_seed(42)
    base_model = BaseNetwork(act_fn=nn.ReLU())
    kaiming_init(base_model)
    optimizers = {
        "SGD": lambda params: SGD(params, lr=1e-1),
        "SGDMom": lambda params: SGDMomentum(params, lr=1e-1, momentum=0.9),
        "SGDMom in place": lambda params: SGDMomentumInPlace(params, lr=1e-1, momentum=0.9),
        "Adam": lambda params: Adam(params, lr=1e-3),
        "Adam in place": lambda params: AdamInPlace(params, lr=1e-3),
    }
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "base.tar")
        torch.save(base_model.state_dict(), path)
        for name, optim_func in optimizers.items():
            model = copy.deepcopy(base_model).to(device)
            model.load_state_dict(torch.load(path))
            out[f"training {name}"] = train_model(model, optim_func)

    def pathological_curve_loss(w1, w2):
        x1_loss = torch.tanh(w1) ** 2 + 0.01 * torch.abs(w1)
        x2_loss = torch.sigmoid(w2)
        return x1_loss + x2_loss

    x = torch.arange(-5, 5, 10 / 100.0)
    x, y = torch.meshgrid([x, x], indexing="ij")
    out["surface"] = pathological_curve_loss(x, y).numpy()

    # 15 updates, not 100: at lr=10 the last-bit differences of numpy's and torch's
    # tanh and sigmoid grow past 1e-12 after about 20 steps (and to 1e-4 after 40).
    def train_curve(
        optimizer_func, curve_func=pathological_curve_loss, num_updates=15, init=(5, 5)
    ):
        weights = nn.Parameter(torch.Tensor(init), requires_grad=True)
        optimizer = optimizer_func([weights])
        list_points = []
        for _ in range(num_updates):
            loss = curve_func(weights[0], weights[1])
            list_points.append(torch.cat([weights.detach(), loss.unsqueeze(dim=0).detach()], dim=0))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        points = torch.stack(list_points, dim=0).numpy()
        return points

    out["SGD curve"] = train_curve(lambda params: SGD(params, lr=10))
    out["SGDMom curve"] = train_curve(lambda params: SGDMomentum(params, lr=10, momentum=0.9))
    out["SGDMom in place curve"] = train_curve(
        lambda params: SGDMomentumInPlace(params, lr=10, momentum=0.9)
    )
    out["Adam curve"] = train_curve(lambda params: Adam(params, lr=1), num_updates=100)
    out["Adam in place curve"] = train_curve(lambda params: AdamInPlace(params, lr=1))

    def bivar_gaussian(w1, w2, x_mean=0.0, y_mean=0.0, x_sig=1.0, y_sig=1.0):
        norm = 1 / (2 * np.pi * x_sig * y_sig)
        x_exp = (-1 * (w1 - x_mean) ** 2) / (2 * x_sig**2)
        y_exp = (-1 * (w2 - y_mean) ** 2) / (2 * y_sig**2)
        return norm * torch.exp(x_exp + y_exp)

    def comb_func(w1, w2):
        z = -bivar_gaussian(w1, w2, x_mean=1.0, y_mean=-0.5, x_sig=0.2, y_sig=0.2)
        z -= bivar_gaussian(w1, w2, x_mean=-1.0, y_mean=0.5, x_sig=0.2, y_sig=0.2)
        z -= bivar_gaussian(w1, w2, x_mean=-0.5, y_mean=-0.8, x_sig=0.2, y_sig=0.2)
        return z

    out["steep SGD"] = train_curve(lambda params: SGD(params, lr=0.5), comb_func, init=(0, 0))
    out["steep SGDMom"] = train_curve(
        lambda params: SGDMomentum(params, lr=1, momentum=0.9), comb_func, 100, (0, 0)
    )
    out["steep Adam"] = train_curve(lambda params: Adam(params, lr=0.2), comb_func, 100, (0, 0))
    return out


@pytest.mark.parametrize("dtype", DTYPES)
def test_introduction_to_pytorch(dtype):
    assert_same(*run(intro_to_pytorch, dtype), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_activation_functions(dtype):
    assert_same(*run(activation_functions, dtype), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_optimization_and_initialization(dtype):
    assert_same(*run(optimization_and_initialization, dtype), dtype)


def test_cudnn_flags_of_seeding_recipes():
    """``torch.backends.cudnn.deterministic = True`` (tutorial 3's `set_seed`) is a flag
    with torch's defaults; cuDNN is not available, as on a CPU-only torch."""
    import torch

    import autograd

    ours, theirs = autograd.backends.cudnn, torch.backends.cudnn
    for name in ("enabled", "deterministic", "benchmark", "allow_tf32"):
        assert getattr(ours, name) == getattr(theirs, name), name
    assert ours.is_available() is False
    ours.deterministic = True
    try:
        assert autograd.backends.cudnn.deterministic is True
    finally:
        ours.deterministic = False
