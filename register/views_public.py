from django.http import HttpResponse


def registry_list(request):
    return HttpResponse("TODO")


def obligations(request):
    return HttpResponse("TODO")


def home(request):
    return HttpResponse("TODO")
