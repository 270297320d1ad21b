<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US" sourcelanguage="en">
<context>
    <name>FirstAdministratorDialog</name>
    <message numerus="yes">
        <source>Password (at least %n characters)</source>
        <translation>
            <numerusform>Password (at least %n character)</numerusform>
            <numerusform>Password (at least %n characters)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>TodayList</name>
    <message numerus="yes">
        <source>%n due for treatment</source>
        <translation>
            <numerusform>%n due for treatment</numerusform>
            <numerusform>%n due for treatment</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n visit(s) under way</source>
        <translation>
            <numerusform>%n visit under way</numerusform>
            <numerusform>%n visits under way</numerusform>
        </translation>
    </message>
</context>
</TS>
